/** DI token of the gateway's Redis connection, or null when it runs with in-process stores. */
export const REDIS = Symbol('REDIS');
