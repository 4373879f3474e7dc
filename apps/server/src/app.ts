import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Bus } from './platform/bus.js';
import type { Clock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import type { Database } from './platform/db/database.js';
import { notFound } from './platform/errors.js';
import { registerAuthentication } from './platform/http/authenticate.js';
import { registerErrorHandling } from './platform/http/errors.js';
import { IdempotencyStore, registerIdempotency } from './platform/http/idempotency.js';
import { registerMetrics } from './platform/http/metrics.js';
import { OperationOutcomeSchema } from './platform/http/schemas.js';
import './platform/http/types.js';
import { AuditLog, AuditRepository, auditRoutes } from './modules/audit/index.js';
import {
  CallRepository,
  CallService,
  callRoutes,
  JoinTokens,
  roomNotifier,
  SignallingHub,
} from './modules/calls/index.js';
import { ConsultationRepository, ConsultationService, consultationRoutes } from './modules/consultations/index.js';
import { FacilityRepository, FacilityService, facilityRoutes } from './modules/facilities/index.js';
import { FhirRepository, FhirService, fhirRoutes } from './modules/fhir/index.js';
import { FormularyRepository, FormularyService, formularyRoutes } from './modules/formulary/index.js';
import { PostgresFileStore } from './modules/files/index.js';
import { GeographyRepository, GeographyService, geographyRoutes } from './modules/geography/index.js';
import { StatsRepository, StatsService, statsRoutes } from './modules/stats/index.js';
import {
  HubSpokeRepository,
  HubSpokeService,
  hubSpokeRoutes,
  ReferralService,
  TimelineService,
  UploadService,
} from './modules/hubspoke/index.js';
import {
  IdentityRepository,
  IdentityService,
  identityRoutes,
  SESSION_REVOKED_TOPIC,
  SessionCache,
} from './modules/identity/index.js';
import { ImportRepository, ImportService, importRoutes } from './modules/imports/index.js';
import { LiveHub, liveRoutes } from './modules/live/index.js';
import { MappingRepository, MappingService, mappingRoutes } from './modules/mappings/index.js';
import { OpdRepository, OpdService, opdRoutes } from './modules/opds/index.js';
import { opsRoutes } from './modules/ops/index.js';
import { PatientRepository, PatientService, patientRoutes } from './modules/patients/index.js';
import { PractitionerRepository, PractitionerService, practitionerRoutes } from './modules/practitioners/index.js';
import {
  PrescriptionRepository,
  PrescriptionService,
  PrescriptionSigner,
  prescriptionRoutes,
} from './modules/prescriptions/index.js';
import { QueueRepository, QueueService, queueRoutes } from './modules/queue/index.js';
import { RosterRepository, RosterService, rosterRoutes } from './modules/rosters/index.js';
import { TerminologyRepository, TerminologyService, terminologyRoutes } from './modules/terminology/index.js';
import {
  HttpSmsSender,
  OutboxSmsSender,
  SmsOutboxRepository,
  smsOutboxRoutes,
  type SmsSender,
} from './modules/sms/index.js';

export interface AppDependencies {
  db: Database;
  bus: Bus;
  clock: Clock;
  /** Replaces the configured SMS adapter (tests). */
  sms?: SmsSender;
}

/** The services of one app instance, for scripts and tests that work below HTTP. */
export interface AppServices {
  audit: AuditLog;
  identity: IdentityService;
  geography: GeographyService;
  facilities: FacilityService;
  terminology: TerminologyService;
  practitioners: PractitionerService;
  mappings: MappingService;
  fhir: FhirService;
  imports: ImportService;
  rosters: RosterService;
  opds: OpdService;
  patients: PatientService;
  consultations: ConsultationService;
  queue: QueueService;
  formulary: FormularyService;
  prescriptions: PrescriptionService;
  hubSpoke: HubSpokeService;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices;
  }
}

/**
 * Builds the whole HTTP application from validated configuration and open dependencies. It
 * listens on nothing and owns no connection: `server.ts` opens and closes those, tests inject.
 */
export async function buildApp(config: Config, deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    trustProxy: config.trustProxy,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addSchema(OperationOutcomeSchema);
  await app.register(fastifyCookie);
  // One WebSocket server for the app (live updates, call signalling; SDP offers need more than 4 KB),
  // registered before authentication so that a refused upgrade's socket is closed, not left open.
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  registerErrorHandling(app);
  const metrics = registerMetrics(app);
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-request-id', request.id);
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'no-referrer');
    if (!request.url.startsWith('/docs')) void reply.header('x-frame-options', 'DENY');
    return payload;
  });

  // Modules, wired by hand: each service gets its repository and the ports it needs.
  const audit = new AuditLog(new AuditRepository(deps.db), deps.clock);
  const outbox = new SmsOutboxRepository(deps.db);
  const sms =
    deps.sms ??
    (config.sms.adapter === 'http'
      ? new HttpSmsSender({
          gatewayUrl: config.sms.gatewayUrl,
          gatewayToken: config.sms.gatewayToken,
          senderId: config.sms.senderId,
        })
      : new OutboxSmsSender(outbox, app.log));
  const identity = new IdentityService(
    new IdentityRepository(deps.db),
    sms,
    audit,
    deps.clock,
    config,
    new SessionCache(config.sessionCacheSeconds * 1000),
    deps.bus,
  );
  const stopRevocations = await deps.bus.subscribe(SESSION_REVOKED_TOPIC, (message) =>
    identity.onSessionRevoked(message),
  );
  const geography = new GeographyService(new GeographyRepository(deps.db), 'IN');
  const terminology = new TerminologyService(new TerminologyRepository(deps.db));
  const facilityRepository = new FacilityRepository(deps.db);
  const facilities = new FacilityService(facilityRepository, geography, audit);
  const mappings = new MappingService(
    new MappingRepository(deps.db),
    facilityRepository,
    terminology,
    audit,
    deps.clock,
  );
  const practitioners = new PractitionerService(
    new PractitionerRepository(deps.db),
    facilityRepository,
    geography,
    terminology,
    audit,
  );
  const rosters = new RosterService(new RosterRepository(deps.db), audit, deps.clock);
  const queueRepository = new QueueRepository(deps.db);
  const opds = new OpdService(new OpdRepository(deps.db), rosters, audit, deps.clock, (ids) =>
    queueRepository.waitingCounts(ids),
  );
  const patientAccounts = new IdentityRepository(deps.db);
  const patients = new PatientService(new PatientRepository(deps.db), geography, audit, {
    files: new PostgresFileStore(deps.db),
    accounts: { mobileOf: async (userId) => (await patientAccounts.findUser(userId))?.mobile ?? null },
    clock: deps.clock,
  });
  const fhir = new FhirService(new FhirRepository(deps.db), terminology, deps.clock);
  const formulary = new FormularyService(new FormularyRepository(deps.db));
  const prescriptions = new PrescriptionService(
    new PrescriptionRepository(deps.db),
    formulary,
    new PrescriptionSigner(config.secretKey),
    audit,
    deps.clock,
    sms,
    {
      publicBaseUrl: config.publicBaseUrl,
      onSmsFailure: (error, prescriptionId) => app.log.warn({ err: error, prescriptionId }, 'prescription SMS failed'),
    },
  );
  const consultations = new ConsultationService(
    new ConsultationRepository(deps.db),
    terminology,
    audit,
    deps.clock,
    (practitionerId, from, to) => queueRepository.noShowCount(practitionerId, from, to),
  );
  const queue = new QueueService(
    queueRepository,
    opds,
    patients,
    practitioners,
    consultations,
    deps.bus,
    audit,
    deps.clock,
    config.queue,
    (opdId, at) => opds.openNow(opdId, at),
  );
  const live = new LiveHub(deps.bus, queue, 1000, (error) => app.log.warn({ err: error }, 'live update failed'));
  await live.start();
  // Missed calls and closed OPDs are swept on every instance; each step is a guarded update.
  let sweeping: Promise<void> | null = null;
  const queueSweeper = setInterval(() => {
    sweeping ??= queue
      .sweep()
      .catch((error: unknown) => app.log.warn({ err: error }, 'queue sweep failed'))
      .finally(() => {
        sweeping = null;
      });
  }, config.queue.sweepSeconds * 1000);
  queueSweeper.unref();
  const calls = new CallService(
    new CallRepository(deps.db),
    audit,
    deps.clock,
    config.calls,
    new JoinTokens(config.secretKey),
    roomNotifier(deps.bus),
  );
  const signalling = new SignallingHub(deps.bus);
  // Hub and spoke: requests routed over the mappings to hub pools, swept for overflow and SLA alerts.
  const hubSpokeRepository = new HubSpokeRepository(deps.db);
  const hubSpoke = new HubSpokeService(
    hubSpokeRepository,
    patients,
    consultations,
    terminology,
    {
      route: (spokeId, specialityCode) => mappings.route(spokeId, specialityCode),
      availableNow: (facilityIds) => rosters.availableNow(facilityIds),
    },
    deps.bus,
    audit,
    deps.clock,
  );
  const referrals = new ReferralService(hubSpokeRepository, audit, deps.clock);
  const timeline = new TimelineService(hubSpokeRepository, patients, audit);
  const uploads = new UploadService(hubSpokeRepository, hubSpoke, new PostgresFileStore(deps.db), audit, deps.clock);
  let hubSpokeSweeping: Promise<unknown> | null = null;
  const hubSpokeSweeper = setInterval(() => {
    hubSpokeSweeping ??= hubSpoke
      .sweep()
      .catch((error: unknown) => app.log.warn({ err: error }, 'hub-and-spoke sweep failed'))
      .finally(() => {
        hubSpokeSweeping = null;
      });
  }, 15_000);
  hubSpokeSweeper.unref();
  const imports = new ImportService(new ImportRepository(deps.db), geography, audit, {
    onError: (error, jobId) => app.log.error({ err: error, jobId }, 'import failed and was rolled back'),
  });
  app.decorate('services', {
    audit,
    identity,
    geography,
    facilities,
    terminology,
    practitioners,
    mappings,
    fhir,
    imports,
    rosters,
    opds,
    patients,
    consultations,
    queue,
    formulary,
    prescriptions,
    hubSpoke,
  });

  registerAuthentication(app, identity);
  const idempotencyStore = new IdempotencyStore(deps.db);
  registerIdempotency(app, idempotencyStore);
  // Housekeeping: expired codes, sessions and idempotency keys go after a day. Every instance may
  // run it; the deletes are idempotent.
  const housekeeping = setInterval(() => {
    const dayAgo = new Date(deps.clock.now().getTime() - 86_400_000);
    Promise.all([identity.purgeExpired(), idempotencyStore.purgeOlderThan(dayAgo)]).catch((error: unknown) =>
      app.log.warn({ err: error }, 'housekeeping failed'),
    );
  }, 3_600_000);
  housekeeping.unref();

  // Documentation plugins come after the request decorators, so that their routes get them too.
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Sanjog API', version: '0.1.0', description: 'Open national telemedicine platform' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'sanjog_session' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  await app.register(opsRoutes({ checks: { database: () => deps.db.ping(), events: () => deps.bus.ping() } }, metrics));
  await app.register(identityRoutes(identity, { cookieSecure: config.cookieSecure }));
  await app.register(auditRoutes(audit));
  await app.register(geographyRoutes(geography));
  await app.register(facilityRoutes(facilities));
  await app.register(terminologyRoutes(terminology));
  await app.register(practitionerRoutes(practitioners));
  await app.register(mappingRoutes(mappings));
  await app.register(fhirRoutes(fhir));
  await app.register(importRoutes(imports));
  await app.register(rosterRoutes(rosters));
  await app.register(opdRoutes(opds));
  await app.register(patientRoutes(patients));
  await app.register(consultationRoutes(consultations));
  await app.register(formularyRoutes(formulary));
  await app.register(prescriptionRoutes(prescriptions));
  await app.register(queueRoutes(queue, deps.clock));
  await app.register(hubSpokeRoutes(hubSpoke, referrals, timeline, uploads, deps.clock));
  await app.register(statsRoutes(new StatsService(new StatsRepository(deps.db), geography, deps.clock)));
  await app.register(
    liveRoutes(live, async (actor, opdId) => {
      await queue.queue(actor, opdId);
    }),
  );
  await app.register(callRoutes(calls, signalling, (error) => app.log.warn({ err: error }, 'call signalling failed')));
  if (config.sms.adapter === 'outbox' && deps.sms === undefined) await app.register(smsOutboxRoutes(outbox));

  app.get('/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());

  await serveWebApp(app, config.webDistDir);

  app.addHook('onClose', async () => {
    clearInterval(housekeeping);
    clearInterval(queueSweeper);
    clearInterval(hubSpokeSweeper);
    await hubSpokeSweeping;
    await sweeping;
    await live.stop();
    await stopRevocations();
    await imports.close();
    await audit.drain();
  });
  return app;
}

/** Every file under `dir`, relative to it, read once at start (the build does not change). */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(dir, path.join(prefix, entry.name)) : [path.join(prefix, entry.name)],
  );
}

/** Serves the built PWA, with its client-side routes falling back to index.html. */
async function serveWebApp(app: FastifyInstance, distDir: string): Promise<void> {
  if (!existsSync(path.join(distDir, 'index.html'))) return;
  const files = new Set(listFiles(distDir).filter((file) => file !== 'index.html'));
  await app.register(fastifyStatic, {
    root: distDir,
    wildcard: false,
    index: false,
    cacheControl: false,
    serve: false,
  });
  const html = (reply: FastifyReply) =>
    reply
      .header('cache-control', 'no-cache')
      .header(
        'content-security-policy',
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
      )
      .sendFile('index.html');
  app.get('/', { config: { auth: 'public' }, schema: { hide: true } }, (_request, reply) => html(reply));
  app.get('/*', { config: { auth: 'public' }, schema: { hide: true } }, (request, reply) => {
    const file = (request.params as { '*': string })['*'];
    if (files.has(file)) {
      // Hashed assets never change; the service worker and manifest must be re-checked.
      const immutable = file.startsWith('assets/');
      return reply
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .sendFile(file);
    }
    if (file.startsWith('api/') || file.startsWith('fhir/') || path.extname(file) !== '') throw notFound(`/${file}`);
    return html(reply);
  });
}
