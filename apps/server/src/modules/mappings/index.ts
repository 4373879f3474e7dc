export { MappingRepository, type MappingRow } from './repository.js';
export { MappingService } from './service.js';
export { mappingRoutes } from './routes.js';
