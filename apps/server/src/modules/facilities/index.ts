export {
  blankFacility,
  FacilityRepository,
  FACILITY_KINDS,
  facilityColumns,
  type FacilityKind,
  type FacilityRow,
  type NewFacilityRow,
} from './repository.js';
export { FacilityService, NETWORK_READERS, NETWORK_WRITERS, HFR_ID_PATTERN } from './service.js';
export { facilityRoutes, facilityToWire } from './routes.js';
export { FacilitySchema, FacilityKindSchema } from './schemas.js';
