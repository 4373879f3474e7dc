export { OpdRepository, type OpdRow, type OpdSettings } from './repository.js';
export {
  estimatedWaitMinutes,
  OpdService,
  OPD_VIEWERS,
  OPD_WRITERS,
  OPD_DOCTOR_ROLE,
  type OpdView,
  type WaitingCounts,
} from './service.js';
export { openingStatus, type OpdSession, type OpeningStatus } from './hours.js';
export { opdRoutes, opdDetailToWire, opdSummaryToWire } from './routes.js';
export { OpdDetailSchema, OpdSummarySchema } from './schemas.js';
