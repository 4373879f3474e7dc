import type { Principal, RouteAuth } from '../auth.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every `/api` route: who may call it. */
    auth?: RouteAuth;
    /** Create endpoints: a repeated `Idempotency-Key` replays the first answer. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    /** Set by the authentication hook; null when the caller is not signed in. */
    principal: Principal | null;
  }
}

export {};
