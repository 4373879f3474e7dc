export { StatsRepository } from './repository.js';
export { StatsService, FIGURE_READERS, type DailyCounts } from './service.js';
export { statsRoutes } from './routes.js';
