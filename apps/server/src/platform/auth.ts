import type { Role, StaffRole } from '@sanjog/shared';
import { forbidden } from './errors.js';

export interface RoleBinding {
  role: StaffRole;
  /** Set for state- and facility-bound roles (a facility binding carries its facility's state). */
  stateId: string | null;
  facilityId: string | null;
}

/** Who is making a request, as resolved from their session or bearer token. */
export interface Principal {
  userId: string;
  kind: 'staff' | 'patient';
  displayName: string;
  sessionId: string;
  roles: RoleBinding[];
}

/** Who is acting and from where: what a service needs to authorise and to audit. */
export interface Actor {
  principal: Principal;
  ip: string;
}

/** How a route is authorised. Every `/api` route must say; see `app.ts`. */
export type RouteAuth = 'public' | { roles: readonly Role[] };

/** The states whose records a caller may see for a purpose: all, or a list. */
export type StateScope = { all: true } | { all: false; stateIds: string[] };

export function principalRoles(principal: Principal): Role[] {
  return principal.kind === 'patient' ? ['patient'] : principal.roles.map((binding) => binding.role);
}

export function hasAnyRole(principal: Principal, roles: readonly Role[]): boolean {
  return principalRoles(principal).some((role) => roles.includes(role));
}

/**
 * The states a principal may reach through the given roles. Country-level roles reach all;
 * state- and facility-bound roles reach their own state only.
 */
export function scopeFor(principal: Principal, roles: readonly Role[]): StateScope {
  const stateIds = new Set<string>();
  for (const binding of principal.roles) {
    if (!roles.includes(binding.role)) continue;
    if (binding.stateId === null) return { all: true };
    stateIds.add(binding.stateId);
  }
  return { all: false, stateIds: [...stateIds] };
}

export function inScope(scope: StateScope, stateId: string): boolean {
  return scope.all || scope.stateIds.includes(stateId);
}

export function assertInScope(scope: StateScope, stateId: string): void {
  if (!inScope(scope, stateId)) throw forbidden(`You may not act on records of state ${stateId}`);
}

/** The role an action was taken in, for the audit log: the first binding that allowed it. */
export function actingRole(principal: Principal, roles: readonly Role[]): Role | null {
  return principalRoles(principal).find((role) => roles.includes(role)) ?? null;
}
