export * from './read-cache';
export * from './redis.util';
