export {
  TerminologyRepository,
  type ComplaintTermRow,
  type DiagnosisTermRow,
  type SpecialityRow,
} from './repository.js';
export { TerminologyService, TERM_SEARCH_LIMIT } from './service.js';
export { terminologyRoutes } from './routes.js';
