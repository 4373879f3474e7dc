import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Registry } from 'prom-client';
import { Type } from 'typebox';
import { responses } from '../../platform/http/schemas.js';

export interface Readiness {
  /** Each dependency that must answer before the instance takes traffic. */
  checks: Record<string, () => Promise<void>>;
}

/** Liveness, readiness and metrics: what a load balancer and Prometheus ask. */
export function opsRoutes(readiness: Readiness, metrics: Registry): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/health',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['operations'],
          summary: 'The process is alive',
          response: { 200: Type.Object({ status: Type.Literal('ok') }) },
        },
        logLevel: 'warn',
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/ready',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['operations'],
          summary: 'The database (and Redis, when configured) answer',
          response: responses({
            200: Type.Object({ status: Type.Literal('ready'), checks: Type.Record(Type.String(), Type.String()) }),
            503: Type.Object({
              status: Type.Literal('unavailable'),
              checks: Type.Record(Type.String(), Type.String()),
            }),
          }),
        },
        logLevel: 'warn',
      },
      async (request, reply) => {
        const results: Record<string, string> = {};
        let ready = true;
        for (const [name, check] of Object.entries(readiness.checks)) {
          try {
            await check();
            results[name] = 'ok';
          } catch (error) {
            ready = false;
            results[name] = 'unreachable';
            request.log.warn({ err: error, dependency: name }, 'readiness check failed');
          }
        }
        return ready
          ? { status: 'ready' as const, checks: results }
          : reply.status(503).send({ status: 'unavailable' as const, checks: results });
      },
    );

    app.get(
      '/metrics',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['operations'],
          summary: 'Prometheus metrics',
          produces: ['text/plain'],
          response: { 200: Type.String() },
        },
        logLevel: 'warn',
      },
      async (_request, reply) => {
        void reply.header('content-type', metrics.contentType);
        return metrics.metrics();
      },
    );
  };
}
