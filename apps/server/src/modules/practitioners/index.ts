export {
  PractitionerRepository,
  PRACTITIONER_ROLE_KINDS,
  practitionerColumns,
  type PractitionerRow,
  type PractitionerRoleRow,
  type PractitionerRoleKind,
} from './repository.js';
export { PractitionerService, HPR_ID_PATTERN, type PractitionerWithRoles } from './service.js';
export { practitionerRoutes, practitionerToWire } from './routes.js';
