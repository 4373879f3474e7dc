import type { ReactNode } from 'react';
import { withQuery, type Me } from '../api';
import { Select } from '../components/Select';
import { navigate, useLocation } from '../router';
import { useApi } from '../useApi';
import { useOverseerI18n } from './i18n';

/** Who watches over a state's service (the server's OVERSEERS), and who may change its rules. */
export const OVERSEERS = ['coordinator', 'state_admin', 'national_admin'] as const;
export const RULE_WRITERS = ['state_admin', 'national_admin'] as const;

/** The states a person reaches through some roles: all of them (national), a few, or none (null). */
export interface Scope {
  all: boolean;
  stateIds: string[];
}

export function scopeOf(me: Me, roles: readonly string[]): Scope | null {
  if (roles.includes('national_admin') && me.roles.includes('national_admin')) return { all: true, stateIds: [] };
  const stateIds = me.bindings
    .filter((binding) => roles.includes(binding.role) && binding.stateId !== null)
    .map((binding) => binding.stateId as string);
  return stateIds.length === 0 ? null : { all: false, stateIds: [...new Set(stateIds)] };
}

export function inScope(scope: Scope | null, stateId: string): boolean {
  return scope !== null && (scope.all || scope.stateIds.includes(stateId));
}

interface StateRow {
  id: string;
  name: string;
}

/**
 * The state a page is about: `?state=` when the person reaches it, else their only state.
 * With several (or every state, for national administrators) and none chosen: undefined, and the
 * picker asks.
 */
export function useChosenState(scope: Scope | null): {
  stateId: string | undefined;
  stateName: string | undefined;
  picker: ReactNode;
} {
  const { t } = useOverseerI18n();
  const { path, query } = useLocation();
  const asked = query.get('state');
  const stateId =
    asked !== null && inScope(scope, asked)
      ? asked
      : scope !== null && !scope.all && scope.stateIds.length === 1
        ? scope.stateIds[0]
        : undefined;
  const states = useApi<{ states: StateRow[] }>(scope === null ? null : '/api/v1/geography/states');
  const choices = (states.data?.states ?? []).filter((state) => inScope(scope, state.id));
  const stateName = stateId === undefined ? undefined : (choices.find((s) => s.id === stateId)?.name ?? stateId);
  const several = scope !== null && (scope.all || scope.stateIds.length > 1);
  const picker = several ? (
    <div className="ov-picker">
      <Select
        id="overseer-state"
        label={t('ov.state')}
        value={stateId ?? ''}
        empty={stateId === undefined ? t('ov.chooseState') : undefined}
        options={choices.map((state) => ({ value: state.id, label: state.name }))}
        onChange={(event) => {
          const next = Object.fromEntries(query.entries());
          // Another state's facility means nothing here.
          delete next.facility;
          navigate(withQuery(path, { ...next, state: event.target.value }));
        }}
      />
    </div>
  ) : null;
  return { stateId, stateName, picker };
}
