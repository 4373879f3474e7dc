export { QueueRepository, type TokenRow, type TokenStatus, type Priority } from './repository.js';
export {
  QueueService,
  QUEUE_CHANGED_TOPIC,
  accountTopic,
  type Position,
  type QueueChange,
  type ConsultationStarter,
  type TokenView,
  type QueueSettings,
} from './service.js';
export { queueRoutes } from './routes.js';
export { queuePlacement, ageOn, DEFAULT_ADVANCE_MINUTES } from './policy.js';
