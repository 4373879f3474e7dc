export {
  RosterRepository,
  AVAILABILITY_STATUSES,
  type AvailabilityStatus,
  type ExceptionKind,
  type ExceptionRow,
  type ShiftRow,
} from './repository.js';
export {
  RosterService,
  ROSTER_READERS,
  ROSTER_WRITERS,
  AVAILABILITY_ROLES,
  effectiveStatus,
  type AvailabilityView,
  type OnShift,
} from './service.js';
export {
  addDays,
  coveringShifts,
  isOnShift,
  localParts,
  minutesOf,
  shiftStretch,
  weekdayOf,
  zonedInstant,
  type DayOff,
  type LocalParts,
  type WeeklyShift,
} from './schedule.js';
export { rosterRoutes, shiftToWire, exceptionToWire } from './routes.js';
export { TimeOfDay, LocalDate, Weekday, AvailabilityStatusSchema } from './schemas.js';
