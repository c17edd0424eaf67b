import { Unauthenticated } from '@yugong/shared/errors';

/** A signed-out or revoked access token, or a refresh token that is unknown, used, expired or revoked. */
export class SessionEnded extends Unauthenticated {
  constructor() {
    super('this session has ended: sign in again');
  }
}
