export { type ConfigProblem, ConfigError } from './config.errors';
export { env } from './env.schema';
export { loadConfig, isSensitiveName } from './config.loader';
export { type BootIo, bootOrExit } from './boot.util';
