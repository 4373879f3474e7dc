export { opsRoutes, type Readiness } from './routes.js';
