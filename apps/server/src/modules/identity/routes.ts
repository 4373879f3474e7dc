import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STAFF_ROLES } from '@sanjog/shared';
import { principalRoles, type Principal } from '../../platform/auth.js';
import { requirePrincipal, SESSION_COOKIE } from '../../platform/http/authenticate.js';
import { EmptyBody, IdParams, responses } from '../../platform/http/schemas.js';
import type { IdentityService, SignedIn } from './service.js';
import {
  ApiTokenBody,
  ApiTokenResponse,
  Empty,
  Me,
  OtpRequestBody,
  OtpRequestResponse,
  OtpVerifyBody,
  SessionList,
  SignInResponse,
  StaffSignInBody,
  TotpCodeBody,
  TotpSetupResponse,
} from './schemas.js';

export interface IdentityRouteOptions {
  cookieSecure: boolean;
}

export function describe(principal: Principal) {
  return {
    userId: principal.userId,
    kind: principal.kind,
    displayName: principal.displayName,
    roles: principalRoles(principal),
    bindings: principal.roles,
  };
}

const client = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null });

const ANYONE = { roles: ['patient', ...STAFF_ROLES] } as const;

export function identityRoutes(service: IdentityService, options: IdentityRouteOptions): FastifyPluginAsyncTypebox {
  const answer = (reply: FastifyReply, signedIn: SignedIn, delivery: 'cookie' | 'bearer') => {
    if (delivery === 'cookie') {
      void reply.setCookie(SESSION_COOKIE, signedIn.token, {
        httpOnly: true,
        secure: options.cookieSecure,
        sameSite: 'lax',
        path: '/',
        expires: signedIn.expiresAt,
      });
    }
    return {
      me: describe(signedIn.principal),
      expiresAt: signedIn.expiresAt.toISOString(),
      ...(delivery === 'bearer' ? { token: signedIn.token } : {}),
    };
  };

  return async (app) => {
    app.post(
      '/api/v1/auth/otp',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['sign-in'],
          summary: 'Send a one-time sign-in code to a mobile number',
          body: OtpRequestBody,
          response: responses({ 200: OtpRequestResponse }),
        },
      },
      async (request) => {
        const result = await service.requestOtp(request.body.mobile, client(request));
        return { challengeId: result.challengeId, expiresAt: result.expiresAt.toISOString() };
      },
    );

    app.post(
      '/api/v1/auth/otp/verify',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['sign-in'],
          summary: 'Sign in as a patient with the one-time code',
          body: OtpVerifyBody,
          response: responses({ 200: SignInResponse }),
        },
      },
      async (request, reply) => {
        const delivery = request.body.tokenDelivery ?? 'cookie';
        const signedIn = await service.verifyOtp(request.body.challengeId, request.body.code, client(request));
        return answer(reply, signedIn, delivery);
      },
    );

    app.post(
      '/api/v1/auth/staff',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['sign-in'],
          summary: 'Sign in as staff with user name or mobile, password and (if set up) authenticator code',
          body: StaffSignInBody,
          response: responses({ 200: SignInResponse, 423: { $ref: 'OperationOutcome#' } }),
        },
      },
      async (request, reply) => {
        const delivery = request.body.tokenDelivery ?? 'cookie';
        const signedIn = await service.staffSignIn({ ...request.body, tokenKind: delivery }, client(request));
        return answer(reply, signedIn, delivery);
      },
    );

    app.get(
      '/api/v1/auth/me',
      {
        config: { auth: ANYONE },
        schema: { tags: ['sign-in'], summary: 'Who is signed in', response: responses({ 200: Me }) },
      },
      async (request) => describe(requirePrincipal(request)),
    );

    app.post(
      '/api/v1/auth/sign-out',
      {
        config: { auth: ANYONE },
        schema: {
          tags: ['sign-in'],
          summary: 'End this session',
          body: EmptyBody,
          response: responses({ 200: Empty }),
        },
      },
      async (request, reply) => {
        const principal = requirePrincipal(request);
        await service.revokeSession(principal, principal.sessionId, client(request));
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return {};
      },
    );

    app.get(
      '/api/v1/auth/sessions',
      {
        config: { auth: ANYONE },
        schema: {
          tags: ['sign-in'],
          summary: 'My live sessions and API tokens',
          response: responses({ 200: SessionList }),
        },
      },
      async (request) => {
        const principal = requirePrincipal(request);
        const sessions = await service.listSessions(principal);
        return {
          sessions: sessions.map((session) => ({
            ...session,
            createdAt: session.createdAt.toISOString(),
            expiresAt: session.expiresAt.toISOString(),
            lastSeenAt: session.lastSeenAt.toISOString(),
            current: session.id === principal.sessionId,
          })),
        };
      },
    );

    app.delete(
      '/api/v1/auth/sessions/:id',
      {
        config: { auth: ANYONE },
        schema: {
          tags: ['sign-in'],
          summary: 'Revoke one of my sessions or API tokens',
          params: IdParams,
          response: responses({ 200: Empty }),
        },
      },
      async (request) => {
        await service.revokeSession(requirePrincipal(request), request.params.id, client(request));
        return {};
      },
    );

    app.post(
      '/api/v1/auth/tokens',
      {
        config: { auth: { roles: STAFF_ROLES } },
        schema: {
          tags: ['sign-in'],
          summary: 'Issue a bearer token for an API client',
          body: ApiTokenBody,
          response: responses({ 201: ApiTokenResponse }),
        },
      },
      async (request, reply) => {
        const issued = await service.issueApiToken(requirePrincipal(request), request.body.label, client(request));
        return reply.status(201).send({ token: issued.token, expiresAt: issued.expiresAt.toISOString() });
      },
    );

    app.post(
      '/api/v1/auth/totp/setup',
      {
        config: { auth: { roles: STAFF_ROLES } },
        schema: {
          tags: ['sign-in'],
          summary: 'Start setting up an authenticator app',
          body: EmptyBody,
          response: responses({ 200: TotpSetupResponse }),
        },
      },
      async (request) => service.beginTotp(requirePrincipal(request)),
    );

    app.post(
      '/api/v1/auth/totp/enable',
      {
        config: { auth: { roles: STAFF_ROLES } },
        schema: {
          tags: ['sign-in'],
          summary: 'Confirm the authenticator with a code; sign-ins then need it',
          body: TotpCodeBody,
          response: responses({ 200: Empty }),
        },
      },
      async (request) => {
        await service.enableTotp(requirePrincipal(request), request.body.code);
        return {};
      },
    );
  };
}
