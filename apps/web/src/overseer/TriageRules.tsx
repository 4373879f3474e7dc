import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { api, ApiError, request, withQuery, type Me } from '../api';
import { Field } from '../components/Field';
import { LoadError, Loading, Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { Select } from '../components/Select';
import { errorMessage } from '../errors';
import { useApi } from '../useApi';
import { useOverseerI18n, type OverseerT } from './i18n';
import { inScope, RULE_WRITERS, scopeOf, useChosenState, type Scope } from './scope';
import {
  RED_FLAGS,
  URGENCIES,
  type ComplaintTerm,
  type RedFlag,
  type Speciality,
  type TriageRule,
  type Urgency,
} from './types';

interface Table {
  own: boolean;
  rules: TriageRule[];
}

/** A rule being edited: both kinds' values kept, so switching back and forth loses nothing. */
interface Draft {
  key: string;
  kind: 'complaint' | 'redFlag';
  complaintCode: string;
  redFlag: RedFlag;
  specialityCode: string;
  urgency: Urgency;
}

let nextKey = 0;
const newKey = () => `rule-${String((nextKey += 1))}`;

function isRedFlag(value: string | undefined): value is RedFlag {
  return value !== undefined && (RED_FLAGS as readonly string[]).includes(value);
}

function toDrafts(rules: TriageRule[]): Draft[] {
  return [...rules]
    .sort((a, b) => a.position - b.position)
    .map((rule) => ({
      key: newKey(),
      kind: rule.complaintCode !== undefined ? 'complaint' : 'redFlag',
      complaintCode: rule.complaintCode ?? '',
      redFlag: isRedFlag(rule.redFlag) ? rule.redFlag : 'spo2_low',
      specialityCode: rule.specialityCode,
      urgency: rule.urgency,
    }));
}

/** The rules as the server takes them: in this order, positions 1, 2, … */
function toBody(drafts: Draft[]): TriageRule[] {
  return drafts.map((d, index) => ({
    position: index + 1,
    ...(d.kind === 'complaint' ? { complaintCode: d.complaintCode.trim() } : { redFlag: d.redFlag }),
    specialityCode: d.specialityCode,
    urgency: d.urgency,
  }));
}

const sameRules = (a: Draft[], b: Draft[]) => JSON.stringify(toBody(a)) === JSON.stringify(toBody(b));

/** Complaint names for the codes the rules name, looked up once each (the list has ~100). */
function useComplaintNames(codes: string[]): [Map<string, ComplaintTerm>, (term: ComplaintTerm) => void] {
  const [known, setKnown] = useState(new Map<string, ComplaintTerm>());
  const asked = useRef(new Set<string>());
  const key = [...new Set(codes)].sort().join(',');
  useEffect(() => {
    const missing = key.split(',').filter((code) => code !== '' && !asked.current.has(code));
    if (missing.length === 0) return;
    for (const code of missing) asked.current.add(code);
    void Promise.allSettled(
      missing.map((code) =>
        api.get<{ items: ComplaintTerm[] }>(withQuery('/api/v1/terminology/complaints', { q: code, limit: 5 })),
      ),
    ).then((results) => {
      setKnown((previous) => {
        const next = new Map(previous);
        results.forEach((result, index) => {
          const code = missing[index];
          const term =
            result.status === 'fulfilled' ? result.value.items.find((item) => item.code === code) : undefined;
          if (term !== undefined) next.set(term.code, term);
          // A failed look-up may be tried again later; an unknown code stays a code.
          if (result.status === 'rejected' && code !== undefined) asked.current.delete(code);
        });
        return next;
      });
    });
  }, [key]);
  const remember = useCallback((term: ComplaintTerm) => {
    asked.current.add(term.code);
    setKnown((previous) => new Map(previous).set(term.code, term));
  }, []);
  return [known, remember];
}

/** The state's triage rules: administrators edit them, coordinators read them. */
export function TriageRulesPage({ me, scope }: { me: Me; scope: Scope }) {
  const { t } = useOverseerI18n();
  const { stateId, stateName, picker } = useChosenState(scope);
  const canEdit = stateId !== undefined && inScope(scopeOf(me, RULE_WRITERS), stateId);
  return (
    <Page title={t('rules.title')}>
      {picker}
      <p className="lead">{t('rules.lead')}</p>
      {stateId !== undefined && (
        <RulesEditor key={stateId} stateId={stateId} stateName={stateName ?? stateId} canEdit={canEdit} />
      )}
    </Page>
  );
}

interface Issues {
  /** By rule index (0-based), the server's (or our) words. */
  byRule: Map<number, string[]>;
  /** Everything, for the notice next to the form. */
  all: string[];
}

function RulesEditor({ stateId, stateName, canEdit }: { stateId: string; stateName: string; canEdit: boolean }) {
  const i18n = useOverseerI18n();
  const { t, lang } = i18n;
  const path = `/api/v1/states/${encodeURIComponent(stateId)}/triage-rules`;
  const load = useApi<Table>(path);
  const specialities = useApi<{ items: Speciality[] }>('/api/v1/terminology/specialities');
  const [table, setTable] = useState<Table | undefined>();
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [openKey, setOpenKey] = useState<string | undefined>();
  const [issues, setIssues] = useState<Issues | undefined>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | undefined>();
  const [confirmRestore, setConfirmRestore] = useState(false);
  const [message, setMessage] = useState('');
  const [focus, setFocus] = useState<{ key: string; action: string } | undefined>();
  const list = useRef<HTMLOListElement>(null);
  const issuesRef = useRef<HTMLDivElement>(null);
  const [names, remember] = useComplaintNames(drafts.filter((d) => d.kind === 'complaint').map((d) => d.complaintCode));

  // The server's table is the starting point (on load, and after each save).
  useEffect(() => {
    if (load.data === undefined) return;
    setTable(load.data);
    setDrafts(toDrafts(load.data.rules));
  }, [load.data]);

  // After a move, focus stays with the rule that moved (on its other button at the top or bottom).
  useEffect(() => {
    if (focus === undefined || list.current === null) return;
    const item = list.current.querySelector(`[data-key="${focus.key}"]`);
    const wanted = item?.querySelector<HTMLButtonElement>(`[data-action="${focus.action}"]`);
    const other = item?.querySelector<HTMLButtonElement>('[data-action="up"], [data-action="down"]');
    (wanted !== null && wanted !== undefined && !wanted.disabled ? wanted : other)?.focus();
    setFocus(undefined);
  }, [focus]);

  const announce = (text: string) => {
    setMessage('');
    window.setTimeout(() => setMessage(text), 50);
  };

  const specialityName = (code: string) => {
    const found = specialities.data?.items.find((s) => s.code === code);
    if (found === undefined) return code;
    return lang === 'hi' && found.nameHi !== null ? found.nameHi : found.name;
  };
  const complaintName = (code: string) => {
    const term = names.get(code);
    if (term === undefined) return code === '' ? '—' : code;
    return lang === 'hi' && term.nameHi !== null ? term.nameHi : term.name;
  };
  const when = (d: Draft) => (d.kind === 'complaint' ? complaintName(d.complaintCode) : t(`flag.${d.redFlag}`));

  if (load.error !== undefined && table === undefined) return <LoadError error={load.error} onRetry={load.reload} />;
  if (table === undefined) return <Loading />;

  const dirty = !sameRules(drafts, toDrafts(table.rules));
  const changed = () => {
    setDone(undefined);
    setIssues(undefined);
  };
  const update = (key: string, change: Partial<Draft>) => {
    changed();
    setDrafts((previous) => previous.map((d) => (d.key === key ? { ...d, ...change } : d)));
  };
  const move = (index: number, by: -1 | 1) => {
    const target = index + by;
    const moving = drafts[index];
    if (moving === undefined || target < 0 || target >= drafts.length) return;
    changed();
    const next = [...drafts];
    next.splice(index, 1);
    next.splice(target, 0, moving);
    setDrafts(next);
    setFocus({ key: moving.key, action: by < 0 ? 'up' : 'down' });
    announce(t('rules.moved', { position: target + 1, count: next.length }));
  };
  const remove = (index: number) => {
    changed();
    setDrafts((previous) => previous.filter((_, i) => i !== index));
    announce(t('rules.removed'));
    // Focus goes to the next rule's remove button, or to "add" when none is left.
    window.setTimeout(() => {
      const buttons = list.current?.querySelectorAll<HTMLButtonElement>('[data-action="remove"]');
      const next = buttons?.[Math.min(index, (buttons.length || 1) - 1)];
      (next ?? document.querySelector<HTMLButtonElement>('[data-testid="rule-add"]'))?.focus();
    }, 0);
  };
  const add = () => {
    changed();
    const draft: Draft = {
      key: newKey(),
      kind: 'complaint',
      complaintCode: '',
      redFlag: 'spo2_low',
      specialityCode: 'general_medicine',
      urgency: 'routine',
    };
    setDrafts((previous) => [...previous, draft]);
    setOpenKey(draft.key);
    announce(t('rules.added', { position: drafts.length + 1 }));
  };

  const showIssues = (found: Issues) => {
    setIssues(found);
    // Open the first rule with a problem, and bring the list of problems into view.
    const first = [...found.byRule.keys()].sort((a, b) => a - b)[0];
    const key = first === undefined ? undefined : drafts[first]?.key;
    if (key !== undefined) setOpenKey(key);
    window.setTimeout(() => issuesRef.current?.scrollIntoView({ block: 'nearest' }), 0);
  };

  const save = async (rules: TriageRule[], restoring: boolean) => {
    // What we can tell before asking: a complaint rule needs a complaint.
    if (!restoring) {
      const byRule = new Map<number, string[]>();
      drafts.forEach((d, index) => {
        if (d.kind === 'complaint' && d.complaintCode.trim() === '') byRule.set(index, [t('rules.complaintMissing')]);
      });
      if (byRule.size > 0) {
        showIssues({
          byRule,
          all: [...byRule].map(([index, words]) => t('rules.issue', { position: index + 1, message: words.join(' ') })),
        });
        return;
      }
    }
    setBusy(true);
    setDone(undefined);
    setIssues(undefined);
    try {
      const saved = await request<Table>('PUT', path, { rules });
      setTable(saved);
      setDrafts(toDrafts(saved.rules));
      setOpenKey(undefined);
      setConfirmRestore(false);
      setDone(restoring ? t('rules.restored') : t('rules.saved'));
    } catch (failure) {
      showIssues(serverIssues(failure, t, i18n));
    } finally {
      setBusy(false);
    }
  };

  const specialityOptions = (specialities.data?.items ?? []).map((s) => ({
    value: s.code,
    label: lang === 'hi' && s.nameHi !== null ? s.nameHi : s.name,
  }));

  return (
    <div data-testid="rules" data-own={table.own}>
      <p data-testid="rules-source">
        {table.own ? t('rules.own', { state: stateName }) : t('rules.defaults', { state: stateName })}
      </p>
      {!canEdit && <Notice kind="info">{t('rules.readOnly')}</Notice>}
      {specialities.error !== undefined && <LoadError error={specialities.error} onRetry={specialities.reload} />}
      {drafts.length === 0 ? (
        <p className="ov-empty">{t('rules.empty')}</p>
      ) : (
        <ol className="ov-rules" ref={list}>
          {drafts.map((d, index) => {
            const open = canEdit && openKey === d.key;
            const ruleIssues = issues?.byRule.get(index);
            const position = index + 1;
            return (
              <li
                key={d.key}
                data-key={d.key}
                data-testid="rule"
                data-position={position}
                className={ruleIssues === undefined ? 'ov-rule' : 'ov-rule ov-rule-invalid'}
              >
                <div className="ov-rule-head">
                  <span className="ov-rank" aria-hidden="true">
                    {i18n.number(position)}
                  </span>
                  <span className="ov-rule-text">
                    <span className="visually-hidden">{t('rules.position', { position })}: </span>
                    <span data-testid="rule-summary">
                      {t('rules.summary', {
                        when: when(d),
                        speciality: specialityName(d.specialityCode),
                        urgency: t(`urgency.${d.urgency}`),
                      })}
                    </span>
                  </span>
                </div>
                {ruleIssues !== undefined && (
                  <ul className="ov-rule-issues" data-testid="rule-issues">
                    {ruleIssues.map((words) => (
                      <li key={words}>{words}</li>
                    ))}
                  </ul>
                )}
                {open && (
                  <RuleFields
                    draft={d}
                    position={position}
                    complaint={names.get(d.complaintCode)}
                    specialityOptions={specialityOptions}
                    onChange={(change) => update(d.key, change)}
                    onChoose={remember}
                  />
                )}
                {canEdit && (
                  <div className="ov-rule-buttons">
                    <button
                      type="button"
                      className="ov-small-button"
                      data-testid="rule-edit"
                      aria-expanded={open}
                      aria-label={open ? undefined : t('rules.editLabel', { position })}
                      disabled={busy}
                      onClick={() => setOpenKey(open ? undefined : d.key)}
                    >
                      {open ? t('rules.close') : t('rules.edit')}
                    </button>
                    <button
                      type="button"
                      className="ov-small-button"
                      data-action="up"
                      data-testid="rule-up"
                      aria-label={t('rules.moveUpLabel', { position })}
                      disabled={busy || index === 0}
                      onClick={() => move(index, -1)}
                    >
                      ↑ {t('rules.moveUp')}
                    </button>
                    <button
                      type="button"
                      className="ov-small-button"
                      data-action="down"
                      data-testid="rule-down"
                      aria-label={t('rules.moveDownLabel', { position })}
                      disabled={busy || index === drafts.length - 1}
                      onClick={() => move(index, 1)}
                    >
                      ↓ {t('rules.moveDown')}
                    </button>
                    <button
                      type="button"
                      className="ov-small-button ov-small-danger"
                      data-action="remove"
                      data-testid="rule-remove"
                      aria-label={t('rules.removeLabel', { position })}
                      disabled={busy}
                      onClick={() => remove(index)}
                    >
                      ✕ {t('rules.remove')}
                    </button>
                  </div>
                )}
              </li>
            );
          })}
        </ol>
      )}
      <p className="visually-hidden" role="status">
        {message}
      </p>
      {canEdit && (
        <>
          <p>
            <button
              type="button"
              className="button button-secondary"
              data-testid="rule-add"
              disabled={busy}
              onClick={add}
            >
              + {t('rules.add')}
            </button>
          </p>
          <div ref={issuesRef}>
            {issues !== undefined && (
              <Notice kind="error">
                <p>{t('rules.notSaved')}</p>
                <ul data-testid="rules-errors">
                  {issues.all.map((words) => (
                    <li key={words}>{words}</li>
                  ))}
                </ul>
              </Notice>
            )}
            {done !== undefined && <Notice kind="success">{done}</Notice>}
            {dirty && issues === undefined && (
              <p className="ov-unsaved" data-testid="rules-unsaved">
                {t('rules.unsaved')}
              </p>
            )}
          </div>
          <div className="ov-actions">
            <button
              type="button"
              className="button"
              data-testid="rules-save"
              disabled={busy || !dirty}
              onClick={() => void save(toBody(drafts), false)}
            >
              {busy ? t('rules.saving') : t('rules.save')}
            </button>
            {dirty && (
              <button
                type="button"
                className="button button-secondary"
                disabled={busy}
                onClick={() => {
                  changed();
                  setDrafts(toDrafts(table.rules));
                  setOpenKey(undefined);
                }}
              >
                {t('rules.undo')}
              </button>
            )}
          </div>
          {table.own && (
            <div className="ov-restore">
              {confirmRestore ? (
                <>
                  <p>{t('rules.restoreConfirm')}</p>
                  <div className="ov-actions">
                    <button
                      type="button"
                      className="button button-secondary"
                      disabled={busy}
                      onClick={() => void save([], true)}
                    >
                      {t('rules.restoreYes')}
                    </button>
                    <button
                      type="button"
                      className="button button-secondary"
                      disabled={busy}
                      onClick={() => setConfirmRestore(false)}
                    >
                      {t('rules.restoreNo')}
                    </button>
                  </div>
                </>
              ) : (
                <button type="button" className="link-button" onClick={() => setConfirmRestore(true)}>
                  {t('rules.restore')}
                </button>
              )}
            </div>
          )}
        </>
      )}
    </div>
  );
}

/** The server's refusal, by rule where it names one (`body.rules.3.complaintCode`). */
function serverIssues(failure: unknown, t: OverseerT, i18n: Parameters<typeof errorMessage>[1]): Issues {
  const byRule = new Map<number, string[]>();
  const all: string[] = [];
  if (failure instanceof ApiError && failure.status >= 400 && failure.status < 500 && failure.status !== 403) {
    for (const issue of failure.outcome.issue) {
      const words = (issue.diagnostics ?? issue.code).replace(/^[\w.]+: /, '');
      const index = /^(?:body\.)?rules\.(\d+)/.exec(issue.expression?.[0] ?? '')?.[1];
      if (index === undefined) {
        all.push(words);
        continue;
      }
      const n = Number(index);
      byRule.set(n, [...(byRule.get(n) ?? []), words]);
      all.push(t('rules.issue', { position: n + 1, message: words }));
    }
  }
  if (all.length === 0) all.push(errorMessage(failure, i18n));
  return { byRule, all };
}

function RuleFields(props: {
  draft: Draft;
  position: number;
  complaint: ComplaintTerm | undefined;
  specialityOptions: { value: string; label: string }[];
  onChange: (change: Partial<Draft>) => void;
  onChoose: (term: ComplaintTerm) => void;
}) {
  const { t, lang } = useOverseerI18n();
  const id = useId();
  const d = props.draft;
  const [terms, setTerms] = useState<ComplaintTerm[]>([]);
  const [query, setQuery] = useState('');

  // Search as you type: one request per pause, the last answer wins.
  useEffect(() => {
    const q = query.trim();
    if (q.length < 2) {
      setTerms([]);
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      api
        .get<{ items: ComplaintTerm[] }>(withQuery('/api/v1/terminology/complaints', { q, limit: 6 }), {
          signal: controller.signal,
        })
        .then((found) => setTerms(found.items))
        .catch(() => undefined);
    }, 300);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [query]);

  const name = (term: ComplaintTerm) => (lang === 'hi' && term.nameHi !== null ? term.nameHi : term.name);

  return (
    <fieldset className="ov-rule-fields" data-testid="rule-fields">
      <legend className="visually-hidden">{t('rules.position', { position: props.position })}</legend>
      <Select
        id={`${id}-kind`}
        name="kind"
        label={t('rules.kind')}
        value={d.kind}
        options={[
          { value: 'complaint', label: t('rules.kindComplaint') },
          { value: 'redFlag', label: t('rules.kindRedFlag') },
        ]}
        onChange={(event) => props.onChange({ kind: event.target.value === 'redFlag' ? 'redFlag' : 'complaint' })}
      />
      {d.kind === 'complaint' ? (
        <div className="ov-complaint">
          <Field
            id={`${id}-complaint`}
            name="complaint"
            label={t('rules.complaint')}
            hint={t('rules.complaintHint')}
            autoComplete="off"
            value={d.complaintCode}
            onChange={(event) => {
              props.onChange({ complaintCode: event.target.value });
              setQuery(event.target.value);
            }}
          />
          {props.complaint !== undefined && (
            <p className="ov-chosen" data-testid="rule-complaint-name">
              ✓ {name(props.complaint)}
            </p>
          )}
          {terms.length > 0 && (
            <ul className="ov-choices" aria-label={t('rules.complaint')}>
              {terms.map((term) => (
                <li key={term.code}>
                  <button
                    type="button"
                    className="ov-small-button"
                    data-testid={`rule-choose-${term.code}`}
                    onClick={() => {
                      props.onChoose(term);
                      props.onChange({ complaintCode: term.code });
                      setQuery('');
                    }}
                  >
                    {t('rules.complaintChoose', { name: name(term) })}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : (
        <Select
          id={`${id}-flag`}
          name="redFlag"
          label={t('rules.redFlag')}
          value={d.redFlag}
          options={RED_FLAGS.map((flag) => ({ value: flag, label: t(`flag.${flag}`) }))}
          onChange={(event) => {
            if (isRedFlag(event.target.value)) props.onChange({ redFlag: event.target.value });
          }}
        />
      )}
      <Select
        id={`${id}-speciality`}
        name="speciality"
        label={t('rules.speciality')}
        value={d.specialityCode}
        options={
          props.specialityOptions.some((o) => o.value === d.specialityCode)
            ? props.specialityOptions
            : [{ value: d.specialityCode, label: d.specialityCode }, ...props.specialityOptions]
        }
        onChange={(event) => props.onChange({ specialityCode: event.target.value })}
      />
      <Select
        id={`${id}-urgency`}
        name="urgency"
        label={t('rules.urgency')}
        value={d.urgency}
        options={URGENCIES.map((u) => ({ value: u, label: t(`urgency.${u}`) }))}
        onChange={(event) => {
          const value = URGENCIES.find((u) => u === event.target.value);
          if (value !== undefined) props.onChange({ urgency: value });
        }}
      />
    </fieldset>
  );
}
