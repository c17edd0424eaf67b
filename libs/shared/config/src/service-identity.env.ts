import { env } from './env.schema';

/**
 * The settings of a service's identity, the same in every service (README, "Service identity"):
 * spread into the app's config schema.
 */
export const serviceIdentityEnv = {
  /** This service's own P-256 private key, base64 of its PKCS#8 DER: signs every call it makes. */
  SERVICE_KEY: env.secret(100),
  /** `name:base64,…`: the public key (SPKI DER) of every service it accepts calls from. */
  SERVICE_PUBLIC_KEYS: env.string(),
};
