export { HubSpokeRepository, type RequestRow, type HubSpokeSettings, DEFAULT_SETTINGS } from './repository.js';
export {
  HubSpokeService,
  SPOKE_ROLES,
  HUB_ROLES,
  OVERSEERS,
  hubTopic,
  spokeTopic,
  coordinatorTopic,
  type RoutingPorts,
} from './service.js';
export { ReferralService } from './referrals.js';
export { TimelineService } from './timeline.js';
export { UploadService, MAX_CHUNK_BYTES } from './uploads.js';
export { hubSpokeRoutes } from './routes.js';
export { redFlagsOf, bmiOf, triage, missingEssentials, URGENCIES, type Urgency } from './model.js';
