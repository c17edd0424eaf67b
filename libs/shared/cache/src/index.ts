export * from './change-version';
export * from './lru';
export * from './read-cache';
export * from './redis.util';
