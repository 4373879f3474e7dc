export { ImportRepository, type ImportJobRow, type ImportCounts, type ImportCount } from './repository.js';
export { ImportService, MAX_REPORTED_ERRORS, type ImportOptions } from './service.js';
export { importRoutes, MAX_IMPORT_BYTES } from './routes.js';
export { COLUMNS, IMPORT_KINDS, headerLine, stableId, type ImportKind, type RowError } from './formats.js';
export { CsvParser, readCsv, CsvError, type CsvRecord } from './csv.js';
