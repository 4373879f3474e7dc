export { IdentityRepository } from './repository.js';
export { IdentityService, type IdentityConfig } from './service.js';
export { identityRoutes, describe as describePrincipal } from './routes.js';
export { hashPassword } from './secrets.js';
export { totpAt } from './totp.js';
