export { TerminologyRepository, type SpecialityRow } from './repository.js';
export { TerminologyService } from './service.js';
export { terminologyRoutes } from './routes.js';
