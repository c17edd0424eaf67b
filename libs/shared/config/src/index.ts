export { type ConfigProblem, ConfigError } from './config.errors';
export { env } from './env.schema';
export { loadConfig, isSensitiveName } from './config.loader';
export {
  PUBLISHED_SECRET_VALUES,
  type SecretPolicy,
  isLoopbackHost,
  publishedSecretProblems,
} from './published-secrets.util';
export { type BootIo, bootOrExit } from './boot.util';
export { serviceIdentityEnv } from './service-identity.env';
