import { useEffect, useRef, useState } from 'react';
import { withQuery } from '../api';
import { Field } from '../components/Field';
import { Icon } from '../components/Icon';
import { LoadError, Loading } from '../components/Notice';
import { Page } from '../components/Page';
import { Link, navigate, useLocation } from '../router';
import { useApi } from '../useApi';
import { BackLink, icons, Pager, SelectField } from './components';
import { useAdminI18n } from './i18n';
import {
  onlyState,
  PAGE_SIZE,
  pageFrom,
  specialityName,
  useAdmin,
  useDebounced,
  useKept,
  useSpecialities,
  useStates,
} from './shared';
import { PRACTITIONER_ROLES, type Page as ListPage, type Practitioner, type PractitionerRole } from './types';

const PATH = '/admin/practitioners';

function isRole(value: string | null): value is PractitionerRole {
  return PRACTITIONER_ROLES.some((role) => role === value);
}

/** Doctors, specialists and health officers, a page at a time, searched by the start of the name. */
export function PractitionersPage() {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const { scope } = useAdmin();
  const { query } = useLocation();
  const fixedState = onlyState(scope);
  const stateId = fixedState ?? query.get('state') ?? '';
  const speciality = query.get('speciality') ?? '';
  const roleParam = query.get('role');
  const role = isRole(roleParam) ? roleParam : '';
  const q = query.get('q') ?? '';
  const page = pageFrom(query);

  const [text, setText] = useState(q);
  const settled = useDebounced(text.trim(), 350);

  const address = (changes: Record<string, string | number | undefined>) =>
    withQuery(PATH, {
      q: q === '' ? undefined : q,
      state: fixedState === undefined && stateId !== '' ? stateId : undefined,
      speciality,
      role,
      ...changes,
    });

  const pushed = useRef(q);
  useEffect(() => {
    if (settled === pushed.current) return;
    pushed.current = settled;
    navigate(address({ q: settled === '' ? undefined : settled, page: undefined }), { replace: true });
  }, [settled]);
  useEffect(() => {
    if (q === pushed.current) return;
    pushed.current = q;
    setText(q);
  }, [q]);

  const setFilter = (changes: Record<string, string | undefined>) =>
    navigate(address({ ...changes, page: undefined }), { replace: true });

  const offset = (page - 1) * PAGE_SIZE;
  const load = useApi<ListPage<Practitioner>>(
    withQuery('/api/v1/practitioners', {
      q: q === '' ? undefined : q.slice(0, 100),
      stateId: stateId === '' ? undefined : stateId,
      speciality,
      role,
      limit: PAGE_SIZE,
      offset,
    }),
  );
  const data = useKept(load.data);
  const states = useStates();
  const specialities = useSpecialities().data?.items;
  const stateChoices = (states ?? []).filter((state) => scope.all || scope.stateIds.includes(state.id));
  const specialityLabel = (code: string) =>
    specialityName(
      specialities?.find((item) => item.code === code),
      code,
      i18n.lang,
    );

  return (
    <Page title={t('practitioners.title')}>
      <BackLink to="/home">{t('admin.home')}</BackLink>
      <p>
        <Link to="/admin/practitioners/new" className="button" data-testid="add-practitioner">
          <Icon d={icons.plus} /> {t('practitioners.add')}
        </Link>
      </p>
      <form
        className="filters"
        role="search"
        onSubmit={(event) => event.preventDefault()}
        aria-label={t('admin.filters')}
      >
        <Field
          id="practitioner-search"
          label={t('practitioners.search')}
          hint={t('practitioners.searchHint')}
          type="search"
          autoComplete="off"
          maxLength={100}
          value={text}
          onChange={(event) => setText(event.target.value)}
          data-testid="practitioner-search"
        />
        {fixedState === undefined && (
          <SelectField
            id="practitioner-state"
            label={t('admin.state')}
            empty={scope.all ? t('admin.allStates') : t('admin.allMyStates')}
            options={stateChoices.map((state) => ({ value: state.id, label: state.name }))}
            value={stateId}
            onChange={(event) => setFilter({ state: event.target.value })}
          />
        )}
        <SelectField
          id="practitioner-speciality"
          label={t('practitioner.speciality')}
          empty={t('practitioners.allSpecialities')}
          options={(specialities ?? []).map((item) => ({ value: item.code, label: specialityLabel(item.code) }))}
          value={speciality}
          onChange={(event) => setFilter({ speciality: event.target.value })}
        />
        <SelectField
          id="practitioner-role"
          label={t('practitioner.role')}
          empty={t('practitioners.allRoles')}
          options={PRACTITIONER_ROLES.map((value) => ({ value, label: t(`practitionerRole.${value}`) }))}
          value={role}
          onChange={(event) => setFilter({ role: event.target.value })}
        />
      </form>

      {load.error !== undefined && <LoadError error={load.error} onRetry={load.reload} />}
      {data === undefined ? (
        load.error === undefined && <Loading />
      ) : (
        <div className={load.loading ? 'results results-busy' : 'results'} aria-busy={load.loading}>
          <Pager
            offset={offset}
            limit={PAGE_SIZE}
            total={data.total}
            shown={data.items.length}
            busy={load.loading}
            href={(next) => address({ page: next === 0 ? undefined : next / PAGE_SIZE + 1 })}
          />
          {data.items.length === 0 ? (
            <p>{q === '' ? t('practitioners.none') : t('practitioners.noMatch')}</p>
          ) : (
            <table className="data-table" role="table" data-testid="practitioner-table">
              <caption className="visually-hidden">{t('practitioners.title')}</caption>
              <thead role="rowgroup">
                <tr role="row">
                  <th role="columnheader" scope="col">
                    {t('practitioner.name')}
                  </th>
                  <th role="columnheader" scope="col">
                    {t('practitioner.roles')}
                  </th>
                  <th role="columnheader" scope="col">
                    {t('practitioner.specialities')}
                  </th>
                  <th role="columnheader" scope="col">
                    {t('practitioner.registryId')}
                  </th>
                  <th role="columnheader" scope="col">
                    {t('admin.status')}
                  </th>
                </tr>
              </thead>
              <tbody role="rowgroup">
                {data.items.map((practitioner) => (
                  <tr key={practitioner.id} role="row" data-testid="practitioner-row">
                    <th role="rowheader" scope="row" data-label={t('practitioner.name')}>
                      <Link to={`/admin/practitioners/${practitioner.id}`}>{practitioner.name}</Link>
                    </th>
                    <td role="cell" data-label={t('practitioner.roles')}>
                      {practitioner.roles.length === 0
                        ? '—'
                        : practitioner.roles
                            .map((item) =>
                              t('practitioner.roleAt', {
                                role: t(`practitionerRole.${item.role}`),
                                facility: item.facilityName,
                              }),
                            )
                            .join('; ')}
                    </td>
                    <td role="cell" data-label={t('practitioner.specialities')}>
                      {practitioner.specialities.length === 0
                        ? '—'
                        : practitioner.specialities.map(specialityLabel).join(', ')}
                    </td>
                    <td role="cell" data-label={t('practitioner.registryId')}>
                      {practitioner.registryId ?? '—'}
                    </td>
                    <td role="cell" data-label={t('admin.status')}>
                      {practitioner.active ? (
                        t('practitioner.activeShort')
                      ) : (
                        <span className="badge badge-muted">{t('practitioner.inactive')}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {data.items.length > 10 && (
            <Pager
              bottom
              offset={offset}
              limit={PAGE_SIZE}
              total={data.total}
              shown={data.items.length}
              href={(next) => address({ page: next === 0 ? undefined : next / PAGE_SIZE + 1 })}
            />
          )}
        </div>
      )}
    </Page>
  );
}
