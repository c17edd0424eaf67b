import { Redis } from 'ioredis';

/**
 * Opens a Redis connection with bounded behaviour and automatic pipelining: reconnect back-off capped at 2 s, and a command
 * fails after 2 retries instead of queueing forever while Redis is away (callers fall back or 503).
 */
export function connectRedis(url: string, name: string, keyPrefix = ''): Redis {
  return new Redis(url, {
    keyPrefix,
    connectionName: `yugong:${name}`,
    maxRetriesPerRequest: 2,
    // Commands issued in the same tick share one write: many concurrent requests, few syscalls.
    enableAutoPipelining: true,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
  });
}
