import { Logger } from '@nestjs/common';
import type { ChangeVersion } from '@yugong/shared/cache';

/**
 * The shared version of the licence terms (`CacheNamespace.licenceTerms`), moved after every move
 * of a licence commits, so that orders may keep the terms it was told (`stands_for_ms` of
 * GetLicenceTerms) until the version moves. Without Redis there is no shared version, and licensing
 * tells nobody to keep anything.
 */
export class LicenceTermsVersion {
  private readonly logger = new Logger(LicenceTermsVersion.name);

  constructor(private readonly version: ChangeVersion | undefined) {}

  /** Whether answers may be kept: every change is announced. */
  get announced(): boolean {
    return this.version !== undefined;
  }

  /**
   * Moves the version after a move committed. When Redis cannot be told the move stands: what
   * orders keeps then outlives it by at most its LICENCE_TERMS_KEEP_MS.
   */
  async moved(): Promise<void> {
    try {
      await this.version?.bump();
    } catch (error) {
      this.logger.warn(`licence terms version not moved: ${(error as Error).message}`);
    }
  }
}
