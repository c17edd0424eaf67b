/** Thrown when a stored value cannot be decrypted (unknown key id, tampering); never holds the value. */
export class PiiDecryptionError extends Error {
  constructor(reason: string) {
    super(`personal data cannot be decrypted: ${reason}`);
  }
}
