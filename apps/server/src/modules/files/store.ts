import type { AcceptedMediaType } from './media.js';

/** A stored file's description, without its bytes. */
export interface StoredFile {
  id: string;
  stateId: string;
  /** The patient the file belongs to; who may read it follows from them. */
  patientId: string;
  title: string | null;
  mediaType: AcceptedMediaType;
  sizeBytes: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
  uploadedBy: string | null;
  createdAt: Date;
}

export interface NewStoredFile {
  id: string;
  stateId: string;
  patientId: string;
  title: string | null;
  mediaType: AcceptedMediaType;
  content: Buffer;
  sha256: string;
  uploadedBy: string;
}

/**
 * Where file bytes live: put, get and delete by id. It decides nothing about who may read a file;
 * the module that owns the file's subject (patients) authorises and audits before calling it.
 *
 * The one implementation keeps files in PostgreSQL (`PostgresFileStore`), shared by every
 * instance. A later issue may add object storage (S3-compatible) behind this same interface,
 * with the metadata staying in the `files` table.
 */
export interface FileStore {
  /** Stores a new file; when the id exists already, stores nothing and returns the existing one. */
  put(file: NewStoredFile): Promise<{ file: StoredFile; created: boolean }>;
  /** A file's description; undefined when unknown or deleted. */
  head(id: string): Promise<StoredFile | undefined>;
  /** A file with its bytes; undefined when unknown or deleted. */
  get(id: string): Promise<{ file: StoredFile; content: Buffer } | undefined>;
  /** Hides a file (see the `files` table); returns whether it was there to delete. */
  delete(id: string, deletedBy: string): Promise<boolean>;
  /** A patient's files, oldest first, without their bytes. */
  listForPatient(patientId: string): Promise<StoredFile[]>;
  /** How many files a patient has (to hold a limit). */
  countForPatient(patientId: string): Promise<number>;
}
