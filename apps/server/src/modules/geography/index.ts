export {
  GeographyRepository,
  type FacilityRow,
  type StateRow,
  type DistrictRow,
  type FacilityKind,
} from './repository.js';
export { GeographyService, FACILITY_READERS, FACILITY_WRITERS } from './service.js';
export { geographyRoutes } from './routes.js';
