import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../platform/http/authenticate.js';
import { EmptyBody, IdParams, responses } from '../../platform/http/schemas.js';
import { NETWORK_READERS } from '../facilities/index.js';
import type { ExceptionRow, ShiftRow } from './repository.js';
import { minutesOf } from './schedule.js';
import {
  AvailabilityBody,
  AvailabilitySchema,
  ExceptionList,
  ExceptionQuery,
  ExceptionSchema,
  NewExceptionBody,
  ReplaceShiftsBody,
  ShiftList,
  ShiftListQuery,
} from './schemas.js';
import { AVAILABILITY_ROLES, ROSTER_WRITERS, type AvailabilityView, type RosterService } from './service.js';

export const shiftToWire = (shift: ShiftRow) => ({
  ...shift,
  overnight: minutesOf(shift.endsAt) <= minutesOf(shift.startsAt),
});

export const exceptionToWire = ({ onDate, ...exception }: ExceptionRow) => ({ ...exception, date: onDate });

const availabilityToWire = ({ setAt, shiftEndsAt, ...view }: AvailabilityView) => ({
  ...view,
  ...(setAt === null ? {} : { setAt: setAt.toISOString() }),
  ...(shiftEndsAt === null ? {} : { shiftEndsAt: shiftEndsAt.toISOString() }),
});

export function rosterRoutes(service: RosterService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/v1/practitioners/:id/shifts',
      {
        // Coordinators and administrators of the state, and the practitioner themself (checked in the service).
        config: { auth: { roles: NETWORK_READERS } },
        schema: {
          tags: ['rosters'],
          summary: "A practitioner's weekly shifts (times in the state's local time)",
          params: IdParams,
          querystring: ShiftListQuery,
          response: responses({ 200: ShiftList }),
        },
      },
      async (request) => ({
        items: (await service.listShifts(actorOf(request), request.params.id, request.query.facilityId)).map(
          shiftToWire,
        ),
      }),
    );

    app.put(
      '/api/v1/practitioners/:id/shifts',
      {
        config: { auth: { roles: ROSTER_WRITERS } },
        schema: {
          tags: ['rosters'],
          summary: "Replace a practitioner's weekly shifts at one facility",
          params: IdParams,
          body: ReplaceShiftsBody,
          response: responses({ 200: ShiftList }),
        },
      },
      async (request) => ({
        items: (
          await service.replaceShifts(actorOf(request), request.params.id, request.body.facilityId, request.body.shifts)
        ).map(shiftToWire),
      }),
    );

    app.delete(
      '/api/v1/shifts/:id',
      {
        config: { auth: { roles: ROSTER_WRITERS } },
        schema: {
          tags: ['rosters'],
          summary: 'Remove one shift',
          params: IdParams,
          response: responses({ 200: EmptyBody }),
        },
      },
      async (request) => {
        await service.deleteShift(actorOf(request), request.params.id);
        return {};
      },
    );

    app.get(
      '/api/v1/roster-exceptions',
      {
        config: { auth: { roles: NETWORK_READERS } },
        schema: {
          tags: ['rosters'],
          summary: "Leave and holidays: a state's, or a practitioner's leave with their state's holidays",
          querystring: ExceptionQuery,
          response: responses({ 200: ExceptionList }),
        },
      },
      async (request) => ({
        items: (await service.listExceptions(actorOf(request), request.query)).map(exceptionToWire),
      }),
    );

    app.post(
      '/api/v1/roster-exceptions',
      {
        config: { auth: { roles: ROSTER_WRITERS }, idempotent: true },
        schema: {
          tags: ['rosters'],
          summary: 'Record leave of a practitioner, or a holiday of a whole state, on a local date',
          body: NewExceptionBody,
          response: responses({ 201: ExceptionSchema, 200: ExceptionSchema }),
        },
      },
      async (request, reply) => {
        const { exception, created } = await service.addException(actorOf(request), request.body);
        return reply.status(created ? 201 : 200).send(exceptionToWire(exception));
      },
    );

    app.delete(
      '/api/v1/roster-exceptions/:id',
      {
        config: { auth: { roles: ROSTER_WRITERS } },
        schema: {
          tags: ['rosters'],
          summary: 'Remove a leave or holiday',
          params: IdParams,
          response: responses({ 200: EmptyBody }),
        },
      },
      async (request) => {
        await service.removeException(actorOf(request), request.params.id);
        return {};
      },
    );

    app.get(
      '/api/v1/me/availability',
      {
        config: { auth: { roles: AVAILABILITY_ROLES } },
        schema: {
          tags: ['rosters'],
          summary: 'Your availability now: what you set, and whether the roster has you on shift',
          response: responses({ 200: AvailabilitySchema }),
        },
      },
      async (request) => availabilityToWire(await service.myAvailability(actorOf(request))),
    );

    app.put(
      '/api/v1/me/availability',
      {
        config: { auth: { roles: AVAILABILITY_ROLES } },
        schema: {
          tags: ['rosters'],
          summary: 'Say you are available, on a break, or off (off shift by the roster always wins)',
          body: AvailabilityBody,
          response: responses({ 200: AvailabilitySchema }),
        },
      },
      async (request) => availabilityToWire(await service.setMyAvailability(actorOf(request), request.body.status)),
    );
  };
}
