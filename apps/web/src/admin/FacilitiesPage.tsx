import { useEffect, useRef, useState } from 'react';
import { withQuery } from '../api';
import { Field } from '../components/Field';
import { Icon } from '../components/Icon';
import { LoadError, Loading } from '../components/Notice';
import { Page } from '../components/Page';
import { Link, navigate, useLocation } from '../router';
import { useApi } from '../useApi';
import { BackLink, DistrictName, icons, Pager, SelectField } from './components';
import { useAdminI18n } from './i18n';
import { onlyState, PAGE_SIZE, pageFrom, useAdmin, useDebounced, useDistricts, useKept, useStates } from './shared';
import { FACILITY_KINDS, type Facility, type FacilityKind, type Page as ListPage } from './types';

const PATH = '/admin/facilities';

function isKind(value: string | null): value is FacilityKind {
  return FACILITY_KINDS.some((kind) => kind === value);
}

/**
 * Every facility the administrator may see, a page at a time: the search (start of the name) and
 * filters live in the address, so that Back, a refresh or a shared link shows the same list.
 */
export function FacilitiesPage() {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const { scope } = useAdmin();
  const { query } = useLocation();
  const fixedState = onlyState(scope);
  const stateId = fixedState ?? query.get('state') ?? '';
  const districtId = query.get('district') ?? '';
  const kindParam = query.get('kind');
  const kind = isKind(kindParam) ? kindParam : '';
  const activeParam = query.get('active');
  const active = activeParam === 'true' || activeParam === 'false' ? activeParam : '';
  const q = query.get('q') ?? '';
  const page = pageFrom(query);

  const [text, setText] = useState(q);
  const settled = useDebounced(text.trim(), 350);

  const address = (changes: Record<string, string | number | undefined>) =>
    withQuery(PATH, {
      q: q === '' ? undefined : q,
      state: fixedState === undefined && stateId !== '' ? stateId : undefined,
      district: districtId,
      kind,
      active,
      ...changes,
    });

  // A new search starts again at page 1, and typing replaces the entry instead of adding one
  // per pause. Back to an earlier search puts its words back in the box.
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
  const load = useApi<ListPage<Facility>>(
    withQuery('/api/v1/facilities', {
      q: q === '' ? undefined : q.slice(0, 100),
      stateId: stateId === '' ? undefined : stateId,
      districtId,
      kind,
      active,
      limit: PAGE_SIZE,
      offset,
    }),
  );
  const data = useKept(load.data);
  const states = useStates();
  const districts = useDistricts(stateId === '' ? undefined : stateId);
  const stateChoices = (states ?? []).filter((state) => scope.all || scope.stateIds.includes(state.id));

  return (
    <Page title={t('facilities.title')}>
      <BackLink to="/home">{t('admin.home')}</BackLink>
      <p>
        <Link to="/admin/facilities/new" className="button" data-testid="add-facility">
          <Icon d={icons.plus} /> {t('facilities.add')}
        </Link>
      </p>
      <form
        className="filters"
        role="search"
        onSubmit={(event) => event.preventDefault()}
        aria-label={t('admin.filters')}
      >
        <Field
          id="facility-search"
          label={t('facilities.search')}
          hint={t('facilities.searchHint')}
          type="search"
          autoComplete="off"
          maxLength={100}
          value={text}
          onChange={(event) => setText(event.target.value)}
          data-testid="facility-search"
        />
        {fixedState === undefined && (
          <SelectField
            id="facility-state"
            label={t('admin.state')}
            empty={scope.all ? t('admin.allStates') : t('admin.allMyStates')}
            options={stateChoices.map((state) => ({ value: state.id, label: state.name }))}
            value={stateId}
            onChange={(event) => setFilter({ state: event.target.value, district: undefined })}
          />
        )}
        <SelectField
          id="facility-district"
          label={t('admin.district')}
          hint={stateId === '' ? t('admin.stateFirst') : undefined}
          empty={t('admin.allDistricts')}
          options={(districts ?? []).map((district) => ({ value: district.id, label: district.name }))}
          value={districtId}
          disabled={stateId === ''}
          onChange={(event) => setFilter({ district: event.target.value })}
          data-testid="facility-district"
        />
        <SelectField
          id="facility-kind"
          label={t('facility.kind')}
          empty={t('facilities.allKinds')}
          options={FACILITY_KINDS.map((value) => ({ value, label: t(`facilityKind.${value}`) }))}
          value={kind}
          onChange={(event) => setFilter({ kind: event.target.value })}
          data-testid="facility-kind"
        />
        <SelectField
          id="facility-active"
          label={t('admin.status')}
          empty={t('admin.anyStatus')}
          options={[
            { value: 'true', label: t('admin.open') },
            { value: 'false', label: t('facilities.closed') },
          ]}
          value={active}
          onChange={(event) => setFilter({ active: event.target.value })}
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
            <p>{q === '' ? t('facilities.none') : t('facilities.noMatch')}</p>
          ) : (
            <FacilityTable items={data.items} />
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

function FacilityTable({ items }: { items: Facility[] }) {
  const { t } = useAdminI18n();
  return (
    <table className="data-table" role="table" data-testid="facility-table">
      <caption className="visually-hidden">{t('facilities.title')}</caption>
      <thead role="rowgroup">
        <tr role="row">
          <th role="columnheader" scope="col">
            {t('facility.name')}
          </th>
          <th role="columnheader" scope="col">
            {t('facility.kind')}
          </th>
          <th role="columnheader" scope="col">
            {t('admin.district')}
          </th>
          <th role="columnheader" scope="col">
            {t('facility.registryId')}
          </th>
          <th role="columnheader" scope="col">
            {t('admin.status')}
          </th>
        </tr>
      </thead>
      <tbody role="rowgroup">
        {items.map((facility) => (
          <tr key={facility.id} role="row" data-testid="facility-row" data-state={facility.stateId}>
            <th role="rowheader" scope="row" data-label={t('facility.name')}>
              <Link to={`/admin/facilities/${facility.id}`}>{facility.name}</Link>
            </th>
            <td role="cell" data-label={t('facility.kind')}>
              {t(`facilityKind.${facility.kind}`)}
            </td>
            <td role="cell" data-label={t('admin.district')}>
              <DistrictName stateId={facility.stateId} districtId={facility.districtId} />
            </td>
            <td role="cell" data-label={t('facility.registryId')}>
              {facility.registryId ?? '—'}
            </td>
            <td role="cell" data-label={t('admin.status')}>
              {facility.active ? t('admin.open') : <span className="badge badge-muted">{t('facilities.closed')}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
