import type { StateScope } from '../auth.js';

/**
 * Appends the parameter that limits rows to the caller's states and returns the SQL condition.
 * Every repository query over tenant data goes through this, so scoping is never forgotten.
 */
export function stateScopeCondition(scope: StateScope, params: unknown[], column = 'state_id'): string {
  if (scope.all) return 'true';
  params.push(scope.stateIds);
  return `${column} = any($${params.length}::text[])`;
}

/** A `like` pattern matching `text` anywhere, with the user's own % and _ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** A case-insensitive "starts with" pattern for `lower(column) like`, as FHIR string search does. */
export function startsWithPattern(text: string): string {
  return `${text.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
