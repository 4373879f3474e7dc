import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../platform/http/authenticate.js';
import { responses } from '../../platform/http/schemas.js';
import { OpdDetailSchema, OpdHoursBody, OpdPage, OpdParams, OpdQuery, OpdSettingsBody } from './schemas.js';
import { OPD_VIEWERS, OPD_WRITERS, type OpdService, type OpdView } from './service.js';

const instants = (view: OpdView) => ({
  openNow: view.openNow,
  ...(view.opensAt === null ? {} : { opensAt: view.opensAt.toISOString() }),
  ...(view.closesAt === null ? {} : { closesAt: view.closesAt.toISOString() }),
  activeDoctors: view.activeDoctors,
  doctorsOnShift: view.doctorsOnShift,
  doctorsAvailable: view.doctorsAvailable,
  waiting: view.waiting,
  estimatedWaitMinutes: view.estimatedWaitMinutes,
});

export const opdDetailToWire = (view: OpdView) => ({
  id: view.id,
  name: view.name,
  stateId: view.stateId,
  districtId: view.districtId,
  active: view.active,
  timeZone: view.timeZone,
  settings: view.settings,
  hours: view.hours,
  ...instants(view),
});

/** The list only holds configured OPDs; a row without settings would be a bug, so it shows as zeros. */
export const opdSummaryToWire = (view: OpdView) => ({
  id: view.id,
  name: view.name,
  stateId: view.stateId,
  districtId: view.districtId,
  specialityCode: view.settings?.specialityCode ?? null,
  specialityName: view.settings?.specialityName ?? null,
  languages: view.settings?.languages ?? [],
  dailyCapacity: view.settings?.dailyCapacity ?? 0,
  waitingRoomSize: view.settings?.waitingRoomSize ?? 0,
  consultationMinutes: view.settings?.consultationMinutes ?? 0,
  ...instants(view),
});

export function opdRoutes(service: OpdService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/v1/opds',
      {
        config: { auth: { roles: OPD_VIEWERS } },
        schema: {
          tags: ['opds'],
          summary: "A state's online OPDs: open now, next session, doctors on shift (patients see every state's)",
          querystring: OpdQuery,
          response: responses({ 200: OpdPage }),
        },
      },
      async (request) => {
        const { speciality, ...rest } = request.query;
        const page = await service.list(actorOf(request), { ...rest, specialityCode: speciality });
        return { total: page.total, items: page.items.map(opdSummaryToWire) };
      },
    );

    app.get(
      '/api/v1/opds/:facilityId',
      {
        config: { auth: { roles: OPD_VIEWERS } },
        schema: {
          tags: ['opds'],
          summary: 'One online OPD with its settings and weekly hours',
          params: OpdParams,
          response: responses({ 200: OpdDetailSchema }),
        },
      },
      async (request) => opdDetailToWire(await service.get(actorOf(request), request.params.facilityId)),
    );

    app.put(
      '/api/v1/opds/:facilityId/settings',
      {
        config: { auth: { roles: OPD_WRITERS } },
        schema: {
          tags: ['opds'],
          summary: "Set an OPD's speciality, capacity, waiting room, consultation time and languages",
          params: OpdParams,
          body: OpdSettingsBody,
          response: responses({ 200: OpdDetailSchema }),
        },
      },
      async (request) =>
        opdDetailToWire(await service.saveSettings(actorOf(request), request.params.facilityId, request.body)),
    );

    app.put(
      '/api/v1/opds/:facilityId/hours',
      {
        config: { auth: { roles: OPD_WRITERS } },
        schema: {
          tags: ['opds'],
          summary: "Replace an OPD's weekly opening hours (the state's local time)",
          params: OpdParams,
          body: OpdHoursBody,
          response: responses({ 200: OpdDetailSchema }),
        },
      },
      async (request) =>
        opdDetailToWire(await service.replaceHours(actorOf(request), request.params.facilityId, request.body.sessions)),
    );
  };
}
