export { PrescriptionRepository, type PrescriptionRow } from './repository.js';
export {
  ALLERGY_RECORDERS,
  DISPENSERS,
  PRESCRIBERS,
  PRESCRIPTION_READERS,
  PrescriptionService,
  type SignInput,
} from './service.js';
export { PrescriptionSigner } from './signing.js';
export { canonicalJson, type PrescriptionDocument } from './document.js';
export { envelopeOfPdf, renderPrescriptionPdf } from './pdf.js';
export { prescriptionRoutes } from './routes.js';
