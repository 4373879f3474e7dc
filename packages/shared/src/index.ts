export * from './roles.js';
export * from './operation-outcome.js';
export * from './identifiers.js';
