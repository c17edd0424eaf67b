export * from './lru';
export * from './read-cache';
export * from './redis.util';
