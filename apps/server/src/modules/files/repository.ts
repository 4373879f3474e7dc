import type { Database } from '../../platform/db/database.js';
import type { FileStore, NewStoredFile, StoredFile } from './store.js';

const COLUMNS = `id, state_id as "stateId", patient_id as "patientId", title, media_type as "mediaType",
  size_bytes as "sizeBytes", sha256, uploaded_by as "uploadedBy", created_at as "createdAt"`;

/** PGlite answers bytea as a Uint8Array, node-postgres as a Buffer: callers always get a Buffer. */
const asBuffer = (value: Uint8Array): Buffer =>
  Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);

/** Files in the `files` table: bytea content next to the metadata, one row per file. */
export class PostgresFileStore implements FileStore {
  constructor(private readonly db: Database) {}

  async put(file: NewStoredFile): Promise<{ file: StoredFile; created: boolean }> {
    const [inserted] = await this.db.query<StoredFile>(
      `insert into files (id, state_id, patient_id, title, media_type, size_bytes, sha256, content, uploaded_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (id) do nothing returning ${COLUMNS}`,
      [
        file.id,
        file.stateId,
        file.patientId,
        file.title,
        file.mediaType,
        file.content.length,
        file.sha256,
        file.content,
        file.uploadedBy,
      ],
    );
    if (inserted !== undefined) return { file: inserted, created: true };
    // Deleted or not, the id is taken: the caller tells a retry from a clash.
    const [existing] = await this.db.query<StoredFile>(`select ${COLUMNS} from files where id = $1`, [file.id]);
    if (existing === undefined) throw new Error(`file ${file.id} vanished`);
    return { file: existing, created: false };
  }

  async head(id: string): Promise<StoredFile | undefined> {
    const [row] = await this.db.query<StoredFile>(`select ${COLUMNS} from files where id = $1 and deleted_at is null`, [
      id,
    ]);
    return row;
  }

  async get(id: string): Promise<{ file: StoredFile; content: Buffer } | undefined> {
    const [row] = await this.db.query<StoredFile & { content: Uint8Array }>(
      `select ${COLUMNS}, content from files where id = $1 and deleted_at is null`,
      [id],
    );
    if (row === undefined) return undefined;
    const { content, ...file } = row;
    return { file, content: asBuffer(content) };
  }

  async delete(id: string, deletedBy: string): Promise<boolean> {
    const rows = await this.db.query(
      'update files set deleted_at = now(), deleted_by = $2 where id = $1 and deleted_at is null returning id',
      [id, deletedBy],
    );
    return rows.length === 1;
  }

  listForPatient(patientId: string): Promise<StoredFile[]> {
    return this.db.query<StoredFile>(
      `select ${COLUMNS} from files where patient_id = $1 and deleted_at is null order by created_at, id`,
      [patientId],
    );
  }

  async countForPatient(patientId: string): Promise<number> {
    const [row] = await this.db.query<{ count: number }>(
      'select count(*)::int as count from files where patient_id = $1 and deleted_at is null',
      [patientId],
    );
    return row?.count ?? 0;
  }
}
