import { lazy, Suspense, useId, type ComponentType } from 'react';
import { ROLES, type Role } from '@sanjog/shared';
import type { Me, RoleBinding } from '../api';
import { Card } from '../components/Card';
import { Loading } from '../components/Notice';
import { Page } from '../components/Page';
import { useApi } from '../useApi';
import { useI18n, useT, type MessageKey } from '../i18n';
import { AuditPreview, FacilityList, FamilyList, MyTokens, PatientSearch } from './HomeCards';
import './pages.css';
import './home.css';

const AdminCards = lazy(() => import('../admin/AdminApp').then((module) => ({ default: module.AdminCards })));

/** The cards' icons (24 × 24 paths). */
const icons = {
  doctor: 'M5 3v5a4 4 0 0 0 8 0V3M9 12v3a5 5 0 0 0 10 0v-3M21 10a2 2 0 1 1-4 0 2 2 0 0 1 4 0',
  family: 'M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM3 20a6 6 0 0 1 12 0M16 11a2.5 2.5 0 1 0 0-5M17 14a5 5 0 0 1 4 6',
  pill: 'M10.5 20.5a5 5 0 0 1-7-7l6-6a5 5 0 0 1 7 7zM8.5 8.5l7 7',
  userPlus: 'M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM3 20a6 6 0 0 1 12 0M19 8v6M16 11h6',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM21 21l-5-5',
  send: 'M22 2 11 13M22 2l-7 20-4-9-9-4z',
  queue: 'M8 6h13M8 12h13M8 18h13M3.5 6h.01M3.5 12h.01M3.5 18h.01',
  calendar: 'M3 5h18v16H3zM3 10h18M8 3v4M16 3v4',
  network:
    'M12 7a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM5 21a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM19 21a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM12 7v5l-6 5.5M12 12l6 5.5',
  clock: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7v5l3 3',
  building: 'M4 21V5l8-3 8 3v16M2 21h20M10 21v-5h4v5M12 6v5M9.5 8.5h5',
  shield: 'M12 2l8 3v6c0 5-3.5 9-8 11-4.5-2-8-6-8-11V5zM9 12l2 2 4-4',
  referral: 'M3 21h18M5 21V7l7-4 7 4v14M9 12h6M12 9v6',
};

// Card names that have both `card.X` and `card.XBody` in the dictionary.
type CardName = { [K in MessageKey]: K extends `card.${infer Name}Body` ? Name : never }[MessageKey];

interface CardSpec {
  name: CardName;
  /** An icon path (24 × 24). */
  icon: string;
  /** What the card shows today; none (and no page) means the feature is still coming. */
  content?: ComponentType;
  /** The card's own page. */
  to?: string;
}

const card = (name: CardName, icon: string, content?: ComponentType, to?: string): CardSpec => ({
  name,
  icon,
  ...(content === undefined ? {} : { content }),
  ...(to === undefined ? {} : { to }),
});

/** What each role does, most frequent first. */
const ROLE_CARDS: Record<Role, CardSpec[]> = {
  patient: [
    card('consultNow', icons.doctor, MyTokens, '/consult'),
    card('family', icons.family, FamilyList),
    card('prescriptions', icons.pill, undefined, '/prescriptions'),
  ],
  spoke_operator: [
    card('registerPatient', icons.userPlus, undefined, '/spoke'),
    card('findPatient', icons.search, PatientSearch),
    card('hubRequests', icons.send, undefined, '/spoke'),
  ],
  hub_doctor: [
    card('queue', icons.queue, undefined, '/hub'),
    card('availability', icons.calendar),
    card('findPatient', icons.search, PatientSearch),
    card('referralDesk', icons.referral, undefined, '/referrals'),
  ],
  opd_doctor: [
    card('queue', icons.queue, undefined, '/doctor'),
    card('availability', icons.calendar, undefined, '/doctor'),
    card('findPatient', icons.search, PatientSearch),
  ],
  coordinator: [
    card('service', icons.clock, undefined, '/service'),
    card('referralDesk', icons.referral, undefined, '/referrals'),
    card('network', icons.network),
    card('facilities', icons.building, FacilityList),
  ],
  pharmacist: [card('dispense', icons.pill, undefined, '/pharmacy')],
  // Administrators' cards: see admin/HomeCards.
  state_admin: [],
  national_admin: [],
  auditor: [card('auditLog', icons.shield, AuditPreview)],
};

/** A home per role held; a person with several roles sees each, in the platform's order. */
export function Home({ me }: { me: Me }) {
  const i18n = useI18n();
  const { t } = i18n;
  const roles = ROLES.filter((role) => me.roles.includes(role));
  return (
    <Page title={t('home.title', { name: i18n.person(me.displayName) })}>
      {roles.map((role) => (
        <RoleHome key={role} role={role} bindings={me.bindings.filter((binding) => binding.role === role)} />
      ))}
    </Page>
  );
}

function RoleHome({ role, bindings }: { role: Role; bindings: RoleBinding[] }) {
  const t = useT();
  const headingId = useId();
  return (
    <section className="role-home" data-testid="role-home" data-role={role} aria-labelledby={headingId}>
      <h2 id={headingId}>{t(`role.${role}`)}</h2>
      {bindings.length > 0 && (
        <ul className="places">
          {bindings.map((binding) => (
            <li key={`${binding.stateId ?? ''}/${binding.facilityId ?? ''}`}>
              <Place binding={binding} />
            </li>
          ))}
        </ul>
      )}
      {role === 'state_admin' || role === 'national_admin' ? (
        // The administration's cards come with its own chunk (and words), not with every home.
        <Suspense fallback={<Loading />}>
          <AdminCards />
        </Suspense>
      ) : (
        <ul className="cards">
          {ROLE_CARDS[role].map((spec) => (
            <li key={spec.name}>
              <SpecCard spec={spec} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function SpecCard({ spec }: { spec: CardSpec }) {
  const t = useT();
  const Content = spec.content;
  return (
    <Card
      name={spec.name}
      title={t(`card.${spec.name}`)}
      body={t(`card.${spec.name}Body`)}
      icon={spec.icon}
      to={spec.to}
    >
      {Content !== undefined && <Content />}
    </Card>
  );
}

/** Where a staff role applies: its facility, its state, or the whole country. */
function Place({ binding }: { binding: RoleBinding }) {
  const t = useT();
  const facility = useApi<{ name: string }>(
    binding.facilityId === null ? null : `/api/v1/facilities/${encodeURIComponent(binding.facilityId)}`,
  );
  const states = useApi<{ states: { id: string; name: string }[] }>(
    binding.facilityId === null && binding.stateId !== null ? '/api/v1/geography/states' : null,
  );
  let place: string | undefined;
  if (binding.facilityId !== null) place = facility.data?.name;
  else if (binding.stateId !== null && states.data !== undefined) {
    place = states.data.states.find((state) => state.id === binding.stateId)?.name ?? binding.stateId;
  } else if (binding.stateId === null) place = t('home.wholeCountry');
  if (place === undefined) return null;
  return <span data-testid="role-place">{t('home.roleAt', { place })}</span>;
}
