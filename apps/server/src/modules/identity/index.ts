export { IdentityRepository } from './repository.js';
export { IdentityService, SESSION_REVOKED_TOPIC, type IdentityConfig } from './service.js';
export { SessionCache } from './session-cache.js';
export { identityRoutes, describe as describePrincipal } from './routes.js';
export { hashPassword } from './secrets.js';
export { totpAt } from './totp.js';
