export { ROLES, type Role, type CallerIdentity, isRole, callerIdentitySchema } from './caller.model';
export {
  SERVICE_NAMES,
  type ServiceName,
  type Principal,
  type VerifiedCall,
  ASSERTION_MARGIN_MS,
  ASSERTION_TTL_SECONDS,
  AssertionSigner,
  AssertionVerifier,
  parsePublicKeys,
  privateKeyFrom,
  publicKeyFrom,
} from './service-assertion';
export {
  isOfficer,
  canReadAll,
  canActForProducer,
  requireCaller,
  requireRole,
  requireProducerAccess,
} from './access.rules';
export {
  PASSWORD_MIN_LENGTH,
  PASSWORD_MAX_LENGTH,
  hashPassword,
  verifyPassword,
  passwordProblems,
} from './password.util';
export {
  TOKEN_SERVICE_OPTIONS,
  type TokenServiceOptions,
  type IssuedToken,
  type VerifiedToken,
  TokenService,
} from './token.service';
export {
  IS_PUBLIC_KEY,
  ROLES_KEY,
  type RequestWithCaller,
  Public,
  Roles,
  Caller,
  CurrentToken,
} from './auth.decorators';
export { AuthGuard, SessionCheck } from './auth.guard';
