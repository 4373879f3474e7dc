export { PatientRepository, type PatientRow } from './repository.js';
export { PatientService, PATIENT_STAFF } from './service.js';
export { patientRoutes } from './routes.js';
