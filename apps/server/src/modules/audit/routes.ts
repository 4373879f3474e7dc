import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requirePrincipal } from '../../platform/http/authenticate.js';
import { EmptyBody, responses } from '../../platform/http/schemas.js';
import type { AuditLog } from './service.js';
import { AuditSearchQuery, AuditSearchResponse, AuditVerifyResponse } from './schemas.js';

const AUDITORS = { roles: ['auditor'] } as const;

export function auditRoutes(audit: AuditLog): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/v1/audit/events',
      {
        config: { auth: AUDITORS },
        schema: {
          tags: ['audit'],
          summary: 'Search the audit log (newest first) by patient, actor and time',
          querystring: AuditSearchQuery,
          response: responses({ 200: AuditSearchResponse }),
        },
      },
      async (request) => {
        const principal = requirePrincipal(request);
        const query = request.query;
        const rows = await audit.search({
          ...(query.patientId === undefined ? {} : { patientId: query.patientId }),
          ...(query.actorId === undefined ? {} : { actorId: query.actorId }),
          ...(query.from === undefined ? {} : { from: new Date(query.from) }),
          ...(query.to === undefined ? {} : { to: new Date(query.to) }),
          ...(query.beforeSeq === undefined ? {} : { beforeSeq: query.beforeSeq }),
          limit: query.limit,
        });
        // Reading the log is itself an access to patient data.
        await audit.record({
          actorId: principal.userId,
          actorRole: 'auditor',
          action: 'search',
          resourceType: 'AuditEvent',
          patientId: query.patientId ?? null,
          ip: request.ip,
          detail: { returned: rows.length },
        });
        return {
          events: rows.map((row) => ({ ...row, at: row.at.toISOString() })),
          nextBeforeSeq: rows.length === query.limit ? (rows[rows.length - 1]?.seq ?? null) : null,
        };
      },
    );

    app.post(
      '/api/v1/audit/verify',
      {
        config: { auth: AUDITORS },
        schema: {
          tags: ['audit'],
          summary: 'Check the whole hash chain; reports the first altered or missing entry',
          body: EmptyBody,
          response: responses({ 200: AuditVerifyResponse }),
        },
      },
      async () => audit.verify(),
    );
  };
}
