import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor, Principal } from '../auth.js';
import { hasAnyRole } from '../auth.js';
import { forbidden, unauthenticated } from '../errors.js';

export const SESSION_COOKIE = 'sanjog_session';

export interface SessionResolver {
  resolve(token: string, request: { ip: string }): Promise<Principal | null>;
}

function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1];
  }
  return request.cookies[SESSION_COOKIE];
}

/**
 * Resolves the caller from a bearer token or the session cookie, then enforces the route's
 * declared `auth`. A route under `/api` or `/fhir` that declares none is refused at start-up,
 * so that no route is open by omission.
 */
export function registerAuthentication(app: FastifyInstance, sessions: SessionResolver): void {
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    const guarded = route.url.startsWith('/api') || route.url.startsWith('/fhir');
    if (guarded && route.config?.auth === undefined) {
      throw new Error(`Route ${String(route.method)} ${route.url} must declare config.auth`);
    }
  });

  app.addHook('onRequest', async (request) => {
    const token = tokenOf(request);
    if (token !== undefined) request.principal = await sessions.resolve(token, request);
    const auth = request.routeOptions.config.auth;
    if (auth === undefined || auth === 'public') return;
    if (request.principal === null) throw unauthenticated();
    if (!hasAnyRole(request.principal, auth.roles))
      throw forbidden(`This needs one of the roles: ${auth.roles.join(', ')}`);
  });
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (request.principal === null) throw unauthenticated();
  return request.principal;
}

/** The signed-in caller and their address, as services take them. */
export function actorOf(request: FastifyRequest): Actor {
  return { principal: requirePrincipal(request), ip: request.ip };
}
