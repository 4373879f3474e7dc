export { ConsultationRepository, type ConsultationRow } from './repository.js';
export {
  ConsultationService,
  CONSULTATION_READERS,
  FOLLOW_UP_WINDOW_DAYS,
  TREATING_ROLES,
  type DaySummary,
  type NotHappenedInput,
  type RatingInput,
  type StartConsultationInput,
} from './service.js';
export {
  CONSULTATION_KINDS,
  CONSULTATION_MODES,
  CONSULTATION_TYPES,
  NOT_HAPPENED_REASONS,
  type ConsultationKind,
  type ConsultationMode,
  type ConsultationRecord,
  type ConsultationType,
  type NotHappenedReason,
  type RecordInput,
  type ComplaintEntry,
  type Vitals,
  DURATION_UNITS,
  SEVERITIES,
} from './model.js';
export { checkVitals, compactVitals } from './vitals.js';
export { codeComplaints, type ComplaintInput } from './complaints.js';
export { consultationRoutes, consultationToWire } from './routes.js';
export { ConsultationSchema, VitalsSchema } from './schemas.js';
