import { User } from './identity/user.entity';

/** Every entity the gateway persists. */
export const GATEWAY_ENTITIES = [User];
