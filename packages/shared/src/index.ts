export * from './roles.js';
export * from './operation-outcome.js';
export * from './identifiers.js';
export * from './resumable-upload.js';
export * from './calls.js';
export * from './prescriptions.js';
export * from './vitals.js';
