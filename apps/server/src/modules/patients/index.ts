export { PatientRepository, type PatientRow } from './repository.js';
export {
  CLINICAL_STAFF,
  MAX_FILE_BYTES,
  MAX_FILES_PER_PATIENT,
  MAX_PROFILES_PER_ACCOUNT,
  PatientService,
  PATIENT_STAFF,
  type PatientAccounts,
} from './service.js';
export { patientRoutes } from './routes.js';
export type { StoredFile as PatientFile } from '../files/index.js';
