import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../platform/http/authenticate.js';
import { IdParams, responses } from '../../platform/http/schemas.js';
import { maskedName } from './document.js';
import type { PrescriptionRow } from './repository.js';
import {
  ALLERGY_RECORDERS,
  DISPENSERS,
  PRESCRIBERS,
  PRESCRIPTION_READERS,
  type PrescriptionService,
  type Verification,
} from './service.js';
import {
  AllergyBody,
  AllergyList,
  AllergyParams,
  CancelBody,
  DispenseBody,
  FhirIdParams,
  FhirResource,
  PageQuery,
  ConsultationPrescriptionList,
  PrescriptionList,
  PrescriptionSchema,
  SignBody,
  VerificationSchema,
} from './schemas.js';
import type { AllergyRow } from './repository.js';

const FHIR_CONTENT_TYPE = 'application/fhir+json; charset=utf-8';
const MAX_PDF_BYTES = 5 * 1024 * 1024;
const tags = ['prescriptions'];
const READERS = ['patient', ...PRESCRIBERS, ...PRESCRIPTION_READERS] as const;

function dispensingWire(row: PrescriptionRow) {
  const dispensing = row.dispensing;
  if (dispensing === null) return null;
  return {
    dispensedAt: dispensing.dispensedAt.toISOString(),
    pharmacy: dispensing.facilityName,
    items: dispensing.items,
    dispensedItems: dispensing.items.filter((item) => item.dispensed).length,
    totalItems: row.document.items.length,
  };
}

export function prescriptionToWire(row: PrescriptionRow, service: PrescriptionService) {
  return {
    id: row.id,
    consultationId: row.consultationId,
    patientId: row.patientId,
    status: row.cancelledAt === null ? ('active' as const) : ('cancelled' as const),
    signedAt: row.signedAt.toISOString(),
    document: row.document,
    signature: row.signature,
    signingKeyId: row.signingKeyId,
    replacesId: row.replacesId,
    replacedById: row.replacedById,
    cancelledAt: row.cancelledAt?.toISOString() ?? null,
    cancelReason: row.cancelReason,
    verifyUrl: service.verifyUrl(row.id),
    pdfUrl: `/api/v1/prescriptions/${row.id}/pdf`,
    dispensing: dispensingWire(row),
  };
}

/** What the public may see: the medicines and directions, the patient only by first name and initials. */
export function verificationToWire({ row, ...verification }: Verification) {
  const rx = row.document;
  return {
    id: verification.id,
    genuine: verification.genuine,
    checks: verification.checks,
    problems: verification.problems,
    signedAt: row.signedAt.toISOString(),
    cancelledAt: row.cancelledAt?.toISOString() ?? null,
    replacedById: row.replacedById,
    doctor: {
      name: rx.doctor.name,
      qualification: rx.doctor.qualification,
      registrationNumber: rx.doctor.registrationNumber,
      registrationCouncil: rx.doctor.registrationCouncil,
    },
    patient: { name: maskedName(rx.patient.name), ageYears: rx.patient.ageYears, sex: rx.patient.sex },
    facility: { name: rx.facility.name },
    date: rx.date,
    consultation: rx.consultation,
    language: rx.language,
    items: rx.items.map((item) => ({
      index: item.index,
      name: item.name,
      form: item.form,
      strength: item.strength,
      directions: item.directions,
      instructions: item.instructions,
      instructionsLocal: item.instructionsLocal,
    })),
    investigations: rx.investigations,
    advice: rx.advice,
    followUpDate: rx.followUpDate,
    dispensing: dispensingWire(row),
  };
}

const allergyWire = (row: AllergyRow) => ({
  id: row.id,
  patientId: row.patientId,
  substance: row.substance,
  reaction: row.reaction,
  severity: row.severity,
  recordedAt: row.recordedAt.toISOString(),
});

export function prescriptionRoutes(service: PrescriptionService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/api/v1/consultations/:id/prescriptions',
      {
        config: { auth: { roles: PRESCRIBERS } },
        schema: {
          tags,
          summary: 'Write and sign a prescription for a consultation (the treating doctor)',
          description:
            "Checked against the prescribing rules (the medicine's list against the consultation's mode and type) and the patient's allergies: a violation answers 422 naming each medicine and rule. Signed with the doctor's Ed25519 key (made on their first signature); the patient gets the link by SMS. The PDF is rendered on first download.",
          params: IdParams,
          body: SignBody,
          response: responses({ 201: PrescriptionSchema }),
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(prescriptionToWire(await service.sign(actorOf(request), request.params.id, request.body), service)),
    );

    app.get(
      '/api/v1/consultations/:id/prescriptions',
      {
        config: { auth: { roles: READERS } },
        schema: {
          tags,
          summary: "A consultation's prescriptions, newest first (cancelled ones too)",
          params: IdParams,
          response: responses({ 200: ConsultationPrescriptionList }),
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const [rows, defaultLanguage] = await Promise.all([
          service.listForConsultation(actor, request.params.id),
          service.defaultLanguage(actor, request.params.id),
        ]);
        return { items: rows.map((row) => prescriptionToWire(row, service)), defaultLanguage };
      },
    );

    app.get(
      '/api/v1/patients/:id/prescriptions',
      {
        config: { auth: { roles: [...PRESCRIBERS, ...PRESCRIPTION_READERS] } },
        schema: {
          tags,
          summary: "A patient's prescriptions, newest first (clinical staff of the state; the doctors who wrote them)",
          params: IdParams,
          querystring: PageQuery,
          response: responses({ 200: PrescriptionList }),
        },
      },
      async (request) => ({
        items: (await service.listForPatient(actorOf(request), request.params.id, request.query)).map((row) =>
          prescriptionToWire(row, service),
        ),
      }),
    );

    app.get(
      '/api/v1/me/prescriptions',
      {
        config: { auth: { roles: ['patient'] } },
        schema: {
          tags,
          summary: 'My prescriptions and those of my family profiles, newest first',
          querystring: PageQuery,
          response: responses({ 200: PrescriptionList }),
        },
      },
      async (request) => ({
        items: (await service.listOwn(actorOf(request), request.query)).map((row) => prescriptionToWire(row, service)),
      }),
    );

    app.get(
      '/api/v1/prescriptions/:id',
      {
        config: { auth: { roles: READERS } },
        schema: {
          tags,
          summary: 'One prescription',
          params: IdParams,
          response: responses({ 200: PrescriptionSchema }),
        },
      },
      async (request) => prescriptionToWire(await service.get(actorOf(request), request.params.id), service),
    );

    app.post(
      '/api/v1/prescriptions/:id/cancel',
      {
        config: { auth: { roles: PRESCRIBERS } },
        schema: {
          tags,
          summary: 'Cancel a signed prescription (the doctor who signed it); it stays on record, marked cancelled',
          params: IdParams,
          body: CancelBody,
          response: responses({ 200: PrescriptionSchema }),
        },
      },
      async (request) =>
        prescriptionToWire(await service.cancel(actorOf(request), request.params.id, request.body.reason), service),
    );

    app.get(
      '/api/v1/prescriptions/:id/pdf',
      {
        config: { auth: { roles: READERS } },
        schema: {
          tags,
          summary: 'The prescription as a PDF with its QR code (rendered on first download, then kept)',
          params: IdParams,
          response: responses({ 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) }),
        },
      },
      async (request, reply) => {
        const { row, pdf } = await service.pdf(actorOf(request), request.params.id);
        return reply
          .header('content-type', 'application/pdf')
          .header(
            'content-disposition',
            `attachment; filename="prescription-${row.document.date}-${row.id.slice(0, 8)}.pdf"`,
          )
          .header('cache-control', 'private, no-store')
          .send(pdf);
      },
    );

    app.get(
      '/api/v1/public/prescriptions/:id',
      {
        config: { auth: 'public' },
        schema: {
          tags,
          summary: 'Verify a prescription (the QR code): genuine or not, what it holds, what was dispensed',
          description:
            'Genuine means: the signature is valid over the signed document, the doctor is registered and active, and it is not cancelled. No sign-in needed; the patient is shown by first name and initials.',
          params: IdParams,
          response: responses({ 200: VerificationSchema }),
        },
      },
      async (request, reply) =>
        reply
          .header('cache-control', 'no-store')
          .send(verificationToWire(await service.verify(request.params.id, request.ip))),
    );

    app.post(
      '/api/v1/prescriptions/:id/dispense',
      {
        config: { auth: { roles: DISPENSERS } },
        schema: {
          tags,
          summary: 'Record dispensing (a pharmacist): once per prescription; a second attempt answers 409',
          params: IdParams,
          body: DispenseBody,
          response: responses({ 201: VerificationSchema }),
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(verificationToWire(await service.dispense(actorOf(request), request.params.id, request.body))),
    );

    app.get(
      '/api/v1/patients/:id/allergies',
      {
        config: { auth: { roles: ['patient', ...PRESCRIPTION_READERS, ...DISPENSERS] } },
        schema: {
          tags,
          summary: "A patient's recorded allergies",
          params: IdParams,
          response: responses({ 200: AllergyList }),
        },
      },
      async (request) => ({ items: (await service.allergies(actorOf(request), request.params.id)).map(allergyWire) }),
    );

    app.post(
      '/api/v1/patients/:id/allergies',
      {
        config: { auth: { roles: ALLERGY_RECORDERS } },
        schema: {
          tags,
          summary: 'Record an allergy (a medicine, a group such as penicillin, or anything else)',
          params: IdParams,
          body: AllergyBody,
          response: responses({ 201: AllergyList }),
        },
      },
      async (request, reply) =>
        reply.status(201).send({
          items: (await service.addAllergy(actorOf(request), request.params.id, request.body)).map(allergyWire),
        }),
    );

    app.delete(
      '/api/v1/patients/:id/allergies/:allergyId',
      {
        config: { auth: { roles: ALLERGY_RECORDERS } },
        schema: {
          tags,
          summary: 'Remove an allergy recorded in error (kept on record as removed)',
          params: AllergyParams,
          response: responses({ 200: AllergyList }),
        },
      },
      async (request) => ({
        items: (await service.removeAllergy(actorOf(request), request.params.id, request.params.allergyId)).map(
          allergyWire,
        ),
      }),
    );

    // A received PDF, checked on its own: the raw file is the body, in a scope of its own.
    await app.register(async (scope) => {
      const documents = scope.withTypeProvider<TypeBoxTypeProvider>();
      documents.addContentTypeParser(
        'application/pdf',
        { parseAs: 'buffer', bodyLimit: MAX_PDF_BYTES },
        (_request, body, done) => {
          done(null, body);
        },
      );
      documents.post(
        '/api/v1/public/prescriptions/verify-document',
        {
          bodyLimit: MAX_PDF_BYTES,
          config: { auth: 'public' },
          schema: {
            tags,
            summary: 'Verify a prescription PDF: the signed data it carries must be intact and genuine',
            consumes: ['application/pdf'],
            body: Type.Unsafe<Buffer>({ description: 'the PDF itself' }),
            response: responses({ 200: VerificationSchema }),
          },
        },
        async (request) => {
          if (!Buffer.isBuffer(request.body)) throw new TypeError('expected a PDF body');
          return verificationToWire(await service.verifyDocument(request.body, request.ip));
        },
      );
    });

    // FHIR: each item as a MedicationRequest, the whole as an NRCeS PrescriptionRecord document.
    await app.register(async (fhir) => {
      fhir.addHook('onSend', async (_request, reply, payload) => {
        const type = reply.getHeader('content-type');
        if (typeof type === 'string' && type.startsWith('application/json'))
          reply.header('content-type', FHIR_CONTENT_TYPE);
        return payload;
      });
      const typed = fhir.withTypeProvider<TypeBoxTypeProvider>();
      typed.get(
        '/fhir/R4/Bundle/:id',
        {
          config: { auth: { roles: READERS } },
          schema: {
            tags: ['FHIR'],
            summary: 'A prescription as an NRCeS PrescriptionRecord document Bundle',
            params: FhirIdParams,
            response: responses({ 200: FhirResource }),
          },
        },
        async (request) => service.fhirBundle(actorOf(request), request.params.id),
      );
      typed.get(
        '/fhir/R4/MedicationRequest/:id',
        {
          config: { auth: { roles: READERS } },
          schema: {
            tags: ['FHIR'],
            summary: 'One item of a prescription (id: prescription id, "-", item number)',
            params: FhirIdParams,
            response: responses({ 200: FhirResource }),
          },
        },
        async (request) => service.fhirMedicationRequest(actorOf(request), request.params.id),
      );
    });
  };
}
