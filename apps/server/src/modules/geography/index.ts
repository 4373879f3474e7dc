export { GeographyRepository, type StateRow, type DistrictRow } from './repository.js';
export { GeographyService } from './service.js';
export { geographyRoutes } from './routes.js';
export { StateParams } from './schemas.js';
