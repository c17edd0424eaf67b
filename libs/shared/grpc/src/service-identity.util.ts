import {
  AssertionSigner,
  AssertionVerifier,
  parsePublicKeys,
  privateKeyFrom,
  type ServiceName,
} from '@yugong/shared/auth';
import type { ServiceClientSettings } from './service-client';

/** The two settings every service gets for its identity (see the README's configuration table). */
export interface ServiceIdentitySettings {
  /** This service's own P-256 private key: base64 of its PKCS#8 DER. */
  SERVICE_KEY: string;
  /** `name:base64,…`: the public key of every service it accepts calls from. */
  SERVICE_PUBLIC_KEYS: string;
}

/** How a service signs its calls and verifies those it receives. */
export interface ServiceIdentity {
  signer: AssertionSigner;
  verifier: AssertionVerifier;
}

/**
 * Reads a service's identity from its settings.
 *
 * @throws Error naming the setting that holds no usable key (the value is never printed)
 */
export function serviceIdentity(service: ServiceName, settings: ServiceIdentitySettings): ServiceIdentity {
  let signer: AssertionSigner;
  try {
    signer = new AssertionSigner(service, privateKeyFrom(settings.SERVICE_KEY));
  } catch (error) {
    throw new Error(
      `SERVICE_KEY: not a P-256 private key in base64 PKCS#8 DER (${(error as Error).message})`,
    );
  }
  let keys: ReturnType<typeof parsePublicKeys>;
  try {
    keys = parsePublicKeys(settings.SERVICE_PUBLIC_KEYS);
  } catch (error) {
    throw new Error(`SERVICE_PUBLIC_KEYS: ${(error as Error).message}`);
  }
  return { signer, verifier: new AssertionVerifier(service, keys) };
}

/** The settings every client a service opens shares: its signer, its deadline and its retries. */
export function clientSettings(
  service: ServiceName,
  settings: ServiceIdentitySettings & { GRPC_DEADLINE_MS: number; GRPC_RETRIES: number },
): ServiceClientSettings {
  return {
    signer: serviceIdentity(service, settings).signer,
    deadlineMs: settings.GRPC_DEADLINE_MS,
    retries: settings.GRPC_RETRIES,
  };
}
