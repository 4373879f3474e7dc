import { Type } from 'typebox';
import { ClientId } from '../../platform/http/schemas.js';
import { describeColumns } from './formats.js';

export const ImportKindSchema = Type.Union([
  Type.Literal('facilities'),
  Type.Literal('practitioners'),
  Type.Literal('mappings'),
]);

export const ImportParams = Type.Object({ kind: ImportKindSchema });

export const ImportQuery = Type.Object(
  {
    dryRun: Type.Boolean({
      default: false,
      description: 'Check the file and report what an import would change, without changing anything',
    }),
    id: ClientId,
  },
  { additionalProperties: false },
);

export const ImportListQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) },
  { additionalProperties: false },
);

const Count = Type.Object({
  inserted: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  retired: Type.Integer({ description: 'roles made inactive, or mapping rows closed' }),
});

export const RowErrorSchema = Type.Object({
  line: Type.Integer({ description: 'line of the file (1 = the header; 0 = the file as a whole)' }),
  field: Type.String({ description: 'the column' }),
  reason: Type.String(),
});

const NullableString = Type.Union([Type.String(), Type.Null()]);

export const ImportJobSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: ImportKindSchema,
  stateId: NullableString,
  dryRun: Type.Boolean(),
  status: Type.Union([
    Type.Literal('validating'),
    Type.Literal('writing'),
    Type.Literal('succeeded'),
    Type.Literal('rejected'),
    Type.Literal('failed'),
  ]),
  bytesRead: Type.Integer(),
  rowsRead: Type.Integer(),
  rowsValidated: Type.Integer(),
  rowsWritten: Type.Integer(),
  rowsTotal: Type.Union([Type.Integer(), Type.Null()]),
  errorCount: Type.Integer(),
  errors: Type.Optional(Type.Array(RowErrorSchema)),
  counts: Type.Object({
    facilities: Type.Optional(Count),
    practitioners: Type.Optional(Count),
    roles: Type.Optional(Count),
    mappings: Type.Optional(Count),
  }),
  startedAt: Type.String({ format: 'date-time' }),
  checkedAt: NullableString,
  updatedAt: Type.String({ format: 'date-time' }),
  finishedAt: NullableString,
  createdBy: NullableString,
});

export const ImportJobList = Type.Object({ items: Type.Array(ImportJobSchema) });

/** The request body: documented, not validated (it is a stream). */
export const CsvBody = Type.Unsafe<unknown>({
  description: 'The CSV file (UTF-8, comma-separated, first line = column names)',
  contentMediaType: 'text/csv',
});

export const IMPORT_DESCRIPTION = `Imports a CSV file of the care network: \`facilities\`, \`practitioners\` (with their roles)
or \`mappings\` (spoke to hub, per speciality). Send the file as the body with \`content-type: text/csv\`
(up to 200 MiB; it is read as a stream).

Every row is checked before anything is written. A file with any error is refused whole with a 422
OperationOutcome listing every error (up to 10,000) with \`expression: ["line 12.pincode"]\`; the same
list is on the job (\`GET /api/v1/imports/{id}\`). A clean file is written in one transaction; rows
are matched by their natural key (the registry id), unchanged rows are not touched, so importing the
same file again changes nothing. \`dryRun=true\` reports what would change and changes nothing.

Files of up to 10,000 rows are answered 200 when written; larger ones (or with \`Prefer: respond-async\`)
are answered 202 once checked, and the job is polled for progress. Pass your own \`id\` to poll while
the upload is still running. A state administrator may import rows of their own state only.

Common rules: columns in any order; case, spaces and hyphens in column names are ignored; unknown
columns are refused; optional columns may be left out and an empty value means none (a re-import
clears it); lists are separated by \`;\`; booleans are true/false, yes/no, y/n or 1/0 (empty = true).

**facilities** — one row per facility, key \`registry_id\` (HFR id). A facility cannot move to
another state by import.
${describeColumns('facilities')}

**practitioners** — one row per practitioner, facility and role, key \`registry_id\` (HPR id).
The rows of one practitioner must follow each other and repeat the same practitioner columns. They
list all of the practitioner's roles at facilities in your states; a role there that the file does
not list is made inactive (kept for history). A practitioner without a role has one row with
\`facility_registry_id\` and \`role\` empty.
${describeColumns('practitioners')}

**mappings** — the hubs that serve a spoke for a speciality, in order. The rows of one spoke and
speciality must follow each other, ranked 1, 2, 3 ... in order; they replace the spoke's current
list for that speciality (old rows are closed, never deleted). Spoke and hub must exist already,
in the same state, and the hub must be an active hub.
${describeColumns('mappings')}`;
