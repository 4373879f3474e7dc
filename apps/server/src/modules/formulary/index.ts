export {
  buildFormulary,
  PRESCRIBING_MODES,
  ROUTES as MEDICINE_ROUTES,
  parseModes,
  type FormularyMedicine,
  type MedicineClass,
  type MedicineRoute,
  type PrescribingList,
  type PrescribingMode,
} from './catalogue.js';
export { FormularyRepository, type StoredMedicine } from './repository.js';
export { FormularyService } from './service.js';
export { formularyRoutes } from './routes.js';
