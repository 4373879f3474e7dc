export { FhirRepository } from './repository.js';
export { FhirService } from './service.js';
export { fhirRoutes, FHIR_BASE_PATH } from './routes.js';
export { SYSTEMS, CODE_SYSTEM_BASE, DIRECTORY_TYPES, NRCES_PROFILE_BASE, type DirectoryType } from './constants.js';
