export { AuditRepository, type AuditRow, type AuditQuery } from './repository.js';
export { AuditLog, type AuditEntry, type AuditRecorder, type AuditAction, type VerifyResult } from './service.js';
export { auditRoutes } from './routes.js';
