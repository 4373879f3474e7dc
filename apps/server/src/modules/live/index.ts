export { LiveHub, type LiveMessage, type LiveSocket } from './hub.js';
export { liveRoutes } from './routes.js';
