export type { SmsSender } from './adapter.js';
export { HttpSmsSender, SmsDeliveryError } from './adapter.js';
export { OutboxSmsSender } from './service.js';
export { SmsOutboxRepository } from './repository.js';
export { smsOutboxRoutes } from './routes.js';
