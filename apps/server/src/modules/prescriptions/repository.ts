import type { StateScope } from '../../platform/auth.js';
import type { Database, Queryable } from '../../platform/db/database.js';
import { stateScopeCondition } from '../../platform/db/sql.js';
import type { PrescriptionDocument } from './document.js';
import type { StoredKey } from './signing.js';

export interface SignerRow {
  id: string;
  userId: string;
  stateId: string;
  name: string;
  qualification: string | null;
  registrationCouncil: string | null;
  registrationNumber: string | null;
  registryId: string | null;
  active: boolean;
}

/** What signing needs to know of a consultation: who, where, how, and the patient's particulars. */
export interface ConsultationContext {
  id: string;
  kind: string;
  mode: string;
  consultationType: 'first' | 'follow_up';
  status: string;
  stateId: string;
  practitionerId: string;
  patient: {
    id: string;
    name: string;
    sex: string;
    birthDate: string | null;
    birthYear: number | null;
    mobile: string | null;
    accountUserId: string | null;
    preferredLanguage: string | null;
  };
  facility: { id: string; name: string; kind: string; registryId: string | null; address: string | null };
  /** For a hub-and-spoke consultation: the health officer whose request it answers. */
  presentedBy: { name: string; role: string } | null;
  timeZone: string;
}

export interface DispensingRow {
  pharmacistUserId: string;
  pharmacistName: string;
  facilityId: string | null;
  facilityName: string | null;
  items: { index: number; dispensed: boolean; quantity: string | null }[];
  note: string | null;
  dispensedAt: Date;
}

export interface PrescriptionRow {
  id: string;
  stateId: string;
  consultationId: string;
  patientId: string;
  practitionerId: string;
  facilityId: string;
  document: PrescriptionDocument;
  signature: string;
  signingKeyId: string;
  signedAt: Date;
  replacesId: string | null;
  replacedById: string | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  /** Verification inputs: the key's public half and the doctor's standing now. */
  publicKey: string;
  doctorActive: boolean;
  doctorRegistrationNumber: string | null;
  patientAccountUserId: string | null;
  dispensing: DispensingRow | null;
}

export interface AllergyRow {
  id: string;
  patientId: string;
  stateId: string;
  substance: string;
  reaction: string | null;
  severity: 'mild' | 'moderate' | 'severe' | null;
  recordedBy: string | null;
  recordedAt: Date;
}

/** Who may read a prescription: the states in scope, its doctor, or the account managing the patient. */
export interface PrescriptionAccess {
  scope: StateScope;
  practitionerId: string | null;
  accountUserId: string | null;
}

const COLUMNS = `rx.id, rx.state_id as "stateId", rx.consultation_id as "consultationId", rx.patient_id as "patientId",
  rx.practitioner_id as "practitionerId", rx.facility_id as "facilityId", rx.document, rx.signature,
  rx.signing_key_id as "signingKeyId", rx.signed_at as "signedAt", rx.replaces_id as "replacesId",
  (select r.id from prescriptions r where r.replaces_id = rx.id) as "replacedById",
  rx.cancelled_at as "cancelledAt", rx.cancel_reason as "cancelReason", k.public_key as "publicKey",
  pr.active as "doctorActive", pr.registration_number as "doctorRegistrationNumber",
  case when p.account_removed_at is null then p.account_user_id end as "patientAccountUserId",
  case when d.prescription_id is null then null else json_build_object(
    'pharmacistUserId', d.pharmacist_user_id, 'pharmacistName', u.display_name, 'facilityId', d.facility_id,
    'facilityName', f.name, 'items', d.items, 'note', d.note, 'dispensedAt', d.dispensed_at) end as dispensing`;

const FROM = `prescriptions rx
  join signing_keys k on k.id = rx.signing_key_id
  join practitioners pr on pr.id = rx.practitioner_id
  join patients p on p.id = rx.patient_id
  left join prescription_dispensings d on d.prescription_id = rx.id
  left join users u on u.id = d.pharmacist_user_id
  left join facilities f on f.id = d.facility_id`;

type RawRow = Omit<PrescriptionRow, 'dispensing'> & {
  dispensing: (Omit<DispensingRow, 'dispensedAt'> & { dispensedAt: string }) | null;
};

const toRow = ({ dispensing, ...row }: RawRow): PrescriptionRow => ({
  ...row,
  dispensing: dispensing === null ? null : { ...dispensing, dispensedAt: new Date(dispensing.dispensedAt) },
});

function accessCondition(access: PrescriptionAccess, params: unknown[]): string {
  const parts = [stateScopeCondition(access.scope, params, 'rx.state_id')];
  if (access.practitionerId !== null) {
    params.push(access.practitionerId);
    parts.push(`rx.practitioner_id = $${params.length}`);
  }
  if (access.accountUserId !== null) {
    params.push(access.accountUserId);
    parts.push(`(p.account_user_id = $${params.length} and p.account_removed_at is null)`);
  }
  return `(${parts.join(' or ')})`;
}

/**
 * Cancels a prescription unless it is cancelled already or has been dispensed (even in part), within
 * the caller's transaction. The row lock comes first, so the check below reads after any dispensing
 * that held it has committed (each statement reads afresh): a cancel and a dispensing at the same
 * moment never both succeed, as a check and an update in one statement could (its snapshot would
 * predate the dispensing, and a row only locked, not changed, is not checked again).
 */
async function cancelUndispensed(tx: Queryable, id: string, by: string, reason: string, at: Date): Promise<boolean> {
  await tx.query('select id from prescriptions where id = $1 for update', [id]);
  const rows = await tx.query(
    `update prescriptions set cancelled_at = $2, cancelled_by = $3, cancel_reason = $4
     where id = $1 and cancelled_at is null
       and not exists (select 1 from prescription_dispensings d where d.prescription_id = $1)
     returning id`,
    [id, at, by, reason],
  );
  return rows.length > 0;
}

export class PrescriptionRepository {
  constructor(private readonly db: Database) {}

  async signerForUser(userId: string): Promise<SignerRow | undefined> {
    const [row] = await this.db.query<SignerRow>(
      `select id, user_id as "userId", state_id as "stateId", name, qualification,
         registration_council as "registrationCouncil", registration_number as "registrationNumber",
         registry_id as "registryId", active
       from practitioners where user_id = $1`,
      [userId],
    );
    return row;
  }

  async consultationContext(id: string, scope: StateScope): Promise<ConsultationContext | undefined> {
    const params: unknown[] = [id];
    const [row] = await this.db.query<ConsultationContext>(
      `select c.id, c.kind, c.mode, c.consultation_type as "consultationType", c.status, c.state_id as "stateId",
         c.practitioner_id as "practitionerId", st.time_zone as "timeZone",
         json_build_object('id', p.id, 'name', p.name, 'sex', p.sex, 'birthDate', p.birth_date,
           'birthYear', p.birth_year, 'mobile', coalesce(p.mobile, case when p.account_removed_at is null then u.mobile end),
           'accountUserId', case when p.account_removed_at is null then p.account_user_id end,
           'preferredLanguage', u.preferred_language) as patient,
         json_build_object('id', f.id, 'name', f.name, 'kind', f.kind, 'registryId', f.registry_id,
           'address', nullif(concat_ws(', ', f.address_line, f.city, dist.name, st.name, f.pincode), '')) as facility,
         (select json_build_object('name', coalesce(op.name, ou.display_name), 'role', 'Health officer, ' || sf.name)
          from teleconsult_requests r
          join users ou on ou.id = r.created_by
          left join practitioners op on op.user_id = r.created_by
          join facilities sf on sf.id = r.spoke_id
          where r.consultation_id = c.id order by r.created_at limit 1) as "presentedBy"
       from consultations c
       join patients p on p.id = c.patient_id
       left join users u on u.id = p.account_user_id
       join facilities f on f.id = c.facility_id
       join districts dist on dist.id = f.district_id
       join states st on st.id = c.state_id
       where c.id = $1 and ${stateScopeCondition(scope, params, 'c.state_id')}`,
      params,
    );
    return row;
  }

  async currentKey(practitionerId: string): Promise<StoredKey | undefined> {
    const [row] = await this.db.query<StoredKey>(
      `select id, practitioner_id as "practitionerId", public_key as "publicKey",
         private_key_encrypted as "privateKeyEncrypted"
       from signing_keys where practitioner_id = $1 and retired_at is null`,
      [practitionerId],
    );
    return row;
  }

  /** Stores a new current key unless the practitioner has one already (another request won). */
  async addKey(key: StoredKey, at: Date): Promise<void> {
    await this.db.query(
      `insert into signing_keys (id, practitioner_id, public_key, private_key_encrypted, created_at)
       values ($1, $2, $3, $4, $5) on conflict do nothing`,
      [key.id, key.practitionerId, key.publicKey, key.privateKeyEncrypted, at],
    );
  }

  /**
   * Stores a signed prescription; one that replaces another cancels it in the same transaction.
   * Answers false when the one to replace was already cancelled, replaced or dispensed (nothing is
   * stored).
   */
  async insert(
    row: Pick<
      PrescriptionRow,
      | 'id'
      | 'stateId'
      | 'consultationId'
      | 'patientId'
      | 'practitionerId'
      | 'facilityId'
      | 'document'
      | 'signature'
      | 'signingKeyId'
      | 'signedAt'
    > & { replaces: { id: string; reason: string; by: string } | null },
  ): Promise<boolean> {
    return this.db
      .transaction(async (tx) => {
        if (row.replaces !== null) {
          const cancelled = await cancelUndispensed(
            tx,
            row.replaces.id,
            row.replaces.by,
            row.replaces.reason,
            row.signedAt,
          );
          if (!cancelled) return false;
        }
        const inserted = await tx.query(
          `insert into prescriptions (id, state_id, consultation_id, patient_id, practitioner_id, facility_id, document,
           signature, signing_key_id, signed_at, replaces_id)
         values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11) on conflict do nothing returning id`,
          [
            row.id,
            row.stateId,
            row.consultationId,
            row.patientId,
            row.practitionerId,
            row.facilityId,
            JSON.stringify(row.document),
            row.signature,
            row.signingKeyId,
            row.signedAt,
            row.replaces?.id ?? null,
          ],
        );
        if (inserted.length === 0) throw new Error('duplicate');
        return true;
      })
      .catch((error: unknown) => {
        if (error instanceof Error && error.message === 'duplicate') return false;
        throw error;
      });
  }

  /** Any prescription by id, without access checks (public verification and internal use). */
  async findAny(id: string, db: Queryable = this.db): Promise<PrescriptionRow | undefined> {
    const [row] = await db.query<RawRow>(`select ${COLUMNS} from ${FROM} where rx.id = $1`, [id]);
    return row === undefined ? undefined : toRow(row);
  }

  async find(id: string, access: PrescriptionAccess): Promise<PrescriptionRow | undefined> {
    const params: unknown[] = [id];
    const [row] = await this.db.query<RawRow>(
      `select ${COLUMNS} from ${FROM} where rx.id = $1 and ${accessCondition(access, params)}`,
      params,
    );
    return row === undefined ? undefined : toRow(row);
  }

  async listForConsultation(consultationId: string, access: PrescriptionAccess): Promise<PrescriptionRow[]> {
    const params: unknown[] = [consultationId];
    const rows = await this.db.query<RawRow>(
      `select ${COLUMNS} from ${FROM} where rx.consultation_id = $1 and ${accessCondition(access, params)}
       order by rx.signed_at desc`,
      params,
    );
    return rows.map(toRow);
  }

  async listForPatient(
    patientId: string,
    access: PrescriptionAccess,
    page: { limit: number; offset: number },
  ): Promise<PrescriptionRow[]> {
    const params: unknown[] = [patientId, page.limit, page.offset];
    const rows = await this.db.query<RawRow>(
      `select ${COLUMNS} from ${FROM} where rx.patient_id = $1 and ${accessCondition(access, params)}
       order by rx.signed_at desc limit $2 offset $3`,
      params,
    );
    return rows.map(toRow);
  }

  async listForAccount(accountUserId: string, page: { limit: number; offset: number }): Promise<PrescriptionRow[]> {
    const rows = await this.db.query<RawRow>(
      `select ${COLUMNS} from ${FROM} where p.account_user_id = $1 and p.account_removed_at is null
       order by rx.signed_at desc limit $2 offset $3`,
      [accountUserId, page.limit, page.offset],
    );
    return rows.map(toRow);
  }

  /** Cancels a prescription once; false when it was already cancelled or has been dispensed (even in part). */
  cancel(id: string, by: string, reason: string, at: Date): Promise<boolean> {
    return this.db.transaction((tx) => cancelUndispensed(tx, id, by, reason, at));
  }

  async pdf(id: string): Promise<Buffer | undefined> {
    const [row] = await this.db.query<{ content: Buffer | Uint8Array }>(
      'select content from prescription_pdfs where prescription_id = $1',
      [id],
    );
    return row === undefined ? undefined : Buffer.from(row.content);
  }

  /** Keeps the first PDF rendered (two first downloads at once store one) and answers the kept one. */
  async storePdf(id: string, content: Buffer, sha256: string, at: Date): Promise<Buffer> {
    await this.db.query(
      `insert into prescription_pdfs (prescription_id, content, sha256, rendered_at) values ($1, $2, $3, $4)
       on conflict do nothing`,
      [id, content, sha256, at],
    );
    return (await this.pdf(id)) ?? content;
  }

  /** Records the dispensing; false when the prescription was dispensed already (by this or any request). */
  async dispense(row: {
    prescriptionId: string;
    stateId: string;
    pharmacistUserId: string;
    facilityId: string | null;
    items: { index: number; dispensed: boolean; quantity: string | null }[];
    note: string | null;
    at: Date;
  }): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // The prescription's row lock, as a cancel takes it: of a cancel and a dispensing at the same
      // moment one waits for the other, then sees it (a cancelled row no longer matches here).
      const open = await tx.query('select id from prescriptions where id = $1 and cancelled_at is null for update', [
        row.prescriptionId,
      ]);
      if (open.length === 0) return false;
      const inserted = await tx.query(
        `insert into prescription_dispensings (prescription_id, state_id, pharmacist_user_id, facility_id, items, note,
           dispensed_at)
         values ($1, $2, $3, $4, $5::jsonb, $6, $7)
         on conflict do nothing returning prescription_id`,
        [
          row.prescriptionId,
          row.stateId,
          row.pharmacistUserId,
          row.facilityId,
          JSON.stringify(row.items),
          row.note,
          row.at,
        ],
      );
      return inserted.length > 0;
    });
  }

  // Allergies.

  async patientRef(
    patientId: string,
  ): Promise<{ id: string; stateId: string; accountUserId: string | null } | undefined> {
    const [row] = await this.db.query<{ id: string; stateId: string; accountUserId: string | null }>(
      `select id, state_id as "stateId",
         case when account_removed_at is null then account_user_id end as "accountUserId"
       from patients where id = $1`,
      [patientId],
    );
    return row;
  }

  allergies(patientId: string): Promise<AllergyRow[]> {
    return this.db.query<AllergyRow>(
      `select id, patient_id as "patientId", state_id as "stateId", substance, reaction, severity,
         recorded_by as "recordedBy", recorded_at as "recordedAt"
       from patient_allergies where patient_id = $1 and removed_at is null order by recorded_at, lower(substance), id`,
      [patientId],
    );
  }

  async addAllergy(row: Omit<AllergyRow, 'recordedBy'> & { recordedBy: string }): Promise<void> {
    await this.db.query(
      `insert into patient_allergies (id, state_id, patient_id, substance, reaction, severity, recorded_by, recorded_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing`,
      [row.id, row.stateId, row.patientId, row.substance, row.reaction, row.severity, row.recordedBy, row.recordedAt],
    );
  }

  async removeAllergy(patientId: string, id: string, by: string, at: Date): Promise<boolean> {
    const rows = await this.db.query(
      `update patient_allergies set removed_at = $3, removed_by = $4
       where id = $1 and patient_id = $2 and removed_at is null returning id`,
      [id, patientId, at, by],
    );
    return rows.length > 0;
  }

  /** The pharmacy a pharmacist is bound to (their first facility binding as pharmacist), if any. */
  async pharmacyOf(userId: string): Promise<string | null> {
    const [row] = await this.db.query<{ facilityId: string }>(
      `select facility_id as "facilityId" from role_bindings
       where user_id = $1 and role = 'pharmacist' and facility_id is not null order by created_at limit 1`,
      [userId],
    );
    return row?.facilityId ?? null;
  }
}
