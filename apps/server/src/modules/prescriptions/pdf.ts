import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import qrcode from 'qrcode-generator';
import type { PrescriptionDocument } from './document.js';
import { FREQUENCY_ABBREVIATIONS, LABELS, type Language } from './phrases.js';

/**
 * The printable prescription: an A4 page laid out as Indian prescriptions are (facility and
 * doctor at the top with the registration number, the patient's name, age and sex, then "Rx"
 * and the numbered medicines with dose, frequency (OD, BD, TDS), timing and duration, the
 * directions in the patient's language, investigations, advice and follow-up), with a QR code
 * to the public verification page. The signed document and its signature are also carried in
 * the PDF's metadata, so a pharmacist's app can check a received PDF on its own.
 */

const FONT_DIR = fileURLToPath(new URL('../../../reference-data/fonts/', import.meta.url));
/**
 * The font of each patient's language (all SIL OFL 1.1, kept beside their licences); Latin text
 * uses the PDF's built-in Helvetica. pdfkit embeds only the glyphs a page uses.
 */
export const LOCAL_FONTS: Record<Exclude<Language, 'en'>, Buffer> = {
  hi: readFileSync(`${FONT_DIR}Lohit-Devanagari.ttf`),
  kn: readFileSync(`${FONT_DIR}NotoSansKannada-Regular.ttf`),
};

/** The metadata key that carries the signed envelope (base64url JSON). */
export const ENVELOPE_KEY = 'SanjogPrescription';

export interface SignedEnvelope {
  document: PrescriptionDocument;
  signature: string;
}

const formatDate = (date: string): string => date.split('-').reverse().join('-');

function formatTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-IN', {
    timeZone,
    day: '2-digit',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
    timeZoneName: 'short',
  }).format(new Date(iso));
}

const SEX: Record<string, string> = { female: 'F', male: 'M', other: 'O', unknown: '-' };

export function renderPrescriptionPdf(envelope: SignedEnvelope, verifyUrl: string): Promise<Buffer> {
  const { document: rx, signature } = envelope;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 40,
    info: {
      Title: `Prescription ${rx.id}`,
      Author: rx.doctor.name,
      Subject: `e-Prescription for ${rx.patient.name}`,
      Creator: 'Sanjog',
      CreationDate: new Date(rx.issuedAt),
    },
  });
  // Custom metadata entry; pdfkit writes every key of `info` into the document information dictionary.
  (doc.info as unknown as Record<string, string>)[ENVELOPE_KEY] = Buffer.from(JSON.stringify(envelope)).toString(
    'base64url',
  );
  const local = rx.language === 'en' ? null : rx.language;
  if (local !== null) doc.registerFont('local', LOCAL_FONTS[local]);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const rule = () => {
    doc.moveDown(0.3);
    doc
      .moveTo(left, doc.y)
      .lineTo(left + width, doc.y)
      .lineWidth(0.7)
      .strokeColor('#444')
      .stroke();
    doc.moveDown(0.4);
  };

  // Facility and doctor.
  doc
    .font('Helvetica-Bold')
    .fontSize(15)
    .fillColor('#000')
    .text(rx.facility.name, left, 40, { width: width - 120 });
  doc.font('Helvetica').fontSize(9).fillColor('#333');
  if (rx.facility.address !== null) doc.text(rx.facility.address, { width: width - 120 });
  if (rx.facility.registryId !== null) doc.text(`HFR ID: ${rx.facility.registryId}`);
  doc
    .font('Helvetica-Bold')
    .fontSize(11)
    .fillColor('#000')
    .text('e-Prescription', left + width - 115, 42, {
      width: 115,
      align: 'right',
    });
  doc.moveDown(0.2);
  doc
    .font('Helvetica')
    .fontSize(8)
    .fillColor('#333')
    .text(`Rx ID: ${rx.id.slice(0, 8).toUpperCase()}`, {
      width: 115,
      align: 'right',
    });
  doc.y = Math.max(doc.y, 90);
  doc.x = left;
  doc.moveDown(0.5);
  doc.font('Helvetica-Bold').fontSize(12).fillColor('#000').text(`${rx.doctor.name}, ${rx.doctor.qualification}`, left);
  doc.font('Helvetica').fontSize(9).fillColor('#333');
  doc.text(
    `Reg. No. ${rx.doctor.registrationNumber}${rx.doctor.registrationCouncil === null ? '' : ` (${rx.doctor.registrationCouncil})`}${rx.doctor.registryId === null ? '' : `  ·  HPR ID ${rx.doctor.registryId}`}`,
  );
  rule();

  // Patient and consultation.
  doc.font('Helvetica-Bold').fontSize(10).fillColor('#000');
  doc.text(`Patient: ${rx.patient.name}`, left, doc.y, { continued: true, width });
  doc
    .font('Helvetica')
    .text(
      `     Age/Sex: ${rx.patient.ageYears === null ? '-' : `${rx.patient.ageYears} Y`} / ${SEX[rx.patient.sex] ?? rx.patient.sex}     Date: ${formatDate(rx.date)}`,
    );
  doc.fontSize(8.5).fillColor('#333');
  const kind = rx.consultation.kind === 'opd' ? 'Online OPD' : 'Hub-and-spoke';
  doc.text(
    `Teleconsultation: ${kind}, ${rx.consultation.mode}, ${rx.consultation.type === 'first' ? 'first consultation' : 'follow-up'}  ·  Consultation ID ${rx.consultationId}`,
  );
  if (rx.presentedBy !== null) doc.text(`Presented by: ${rx.presentedBy.name} (${rx.presentedBy.role})`);
  rule();

  // Rx.
  doc.font('Helvetica-Bold').fontSize(20).fillColor('#000').text('Rx', left);
  doc.moveDown(0.2);
  for (const item of rx.items) {
    doc.font('Helvetica-Bold').fontSize(10.5).fillColor('#000');
    doc.text(
      `${item.index}. ${item.name.toUpperCase()}  ${item.form}${item.strength === null ? '' : ` ${item.strength}`}`,
      left,
      doc.y,
      {
        width,
      },
    );
    doc.font('Helvetica').fontSize(9.5);
    const columns = [
      `${item.dose.value} ${item.dose.unit}`,
      FREQUENCY_ABBREVIATIONS[item.frequency],
      item.timing === null ? null : item.timing.replace(/_/g, ' '),
      item.duration === null ? null : `${item.duration.value} ${item.duration.unit}`,
      item.route,
    ].filter((part): part is string => part !== null);
    doc.text(`     ${columns.join('   |   ')}`, { width });
    doc.fillColor('#333').text(`     ${item.directions.en}`, { width });
    if (item.directions.local !== null) doc.font('local').text(`     ${item.directions.local}`, { width });
    if (item.instructions !== null) doc.font('Helvetica').text(`     ${item.instructions}`, { width });
    if (item.instructionsLocal !== null) doc.font('local').text(`     ${item.instructionsLocal}`, { width });
    doc.moveDown(0.4);
  }

  const section = (english: string, localLabel: string | null, lines: string[], localLines: string[] = []) => {
    if (lines.length === 0 && localLines.length === 0) return;
    doc.moveDown(0.3);
    doc
      .font('Helvetica-Bold')
      .fontSize(10)
      .fillColor('#000')
      .text(english, left, doc.y, { continued: localLabel !== null });
    if (localLabel !== null) doc.font('local').text(` / ${localLabel}`);
    doc.font('Helvetica').fontSize(9.5).fillColor('#222');
    for (const line of lines) doc.text(line, { width });
    if (localLines.length > 0) doc.font('local');
    for (const line of localLines) doc.text(line, { width });
  };
  const localLabels = local === null ? null : LABELS[local];
  section(
    LABELS.en.investigations,
    localLabels?.investigations ?? null,
    rx.investigations.map((i) => `• ${i}`),
  );
  section(
    LABELS.en.advice,
    localLabels?.advice ?? null,
    rx.advice === null ? [] : [rx.advice],
    rx.adviceLocal === null ? [] : [rx.adviceLocal],
  );
  if (rx.followUpDate !== null)
    section(LABELS.en.followUp, localLabels?.followUp ?? null, [formatDate(rx.followUpDate)]);
  if (rx.replaces !== null) {
    doc.moveDown(0.3);
    doc.font('Helvetica-Oblique').fontSize(8.5).text(`Replaces prescription ${rx.replaces}, which is cancelled.`);
  }

  // Signature block and QR code at the foot of the page (a new page if the items reached it).
  const qrSize = 92;
  const footer = doc.page.height - doc.page.margins.bottom - qrSize - 14;
  if (doc.y > footer - 10) doc.addPage();
  const top = doc.page.height - doc.page.margins.bottom - qrSize - 14;
  doc
    .moveTo(left, top - 8)
    .lineTo(left + width, top - 8)
    .lineWidth(0.7)
    .strokeColor('#444')
    .stroke();
  const qr = qrcode(0, 'M');
  qr.addData(verifyUrl);
  qr.make();
  const count = qr.getModuleCount();
  const cell = qrSize / count;
  doc.fillColor('#000');
  for (let row = 0; row < count; row += 1)
    for (let col = 0; col < count; col += 1)
      if (qr.isDark(row, col)) doc.rect(left + col * cell, top + row * cell, cell, cell).fill();
  doc
    .font('Helvetica')
    .fontSize(7.5)
    .text('Scan to verify', left, top + qrSize + 2, { width: qrSize, align: 'center' });
  const textLeft = left + qrSize + 16;
  const textWidth = width - qrSize - 16;
  doc
    .font('Helvetica-Bold')
    .fontSize(9.5)
    .fillColor('#000')
    .text(`Digitally signed by ${rx.doctor.name}`, textLeft, top, {
      width: textWidth,
    });
  doc.font('Helvetica').fontSize(8.5).fillColor('#333');
  doc.text(`${formatTime(rx.issuedAt, rx.timeZone)} · Ed25519 signature ${signature.slice(0, 16)}…`, {
    width: textWidth,
  });
  doc.text(`Verify at ${verifyUrl}`, { width: textWidth, link: verifyUrl });
  doc.moveDown(0.3);
  doc.text(
    'Pharmacist: check that verification shows GENUINE before dispensing. Dispense once; a cancelled prescription is not valid.',
    { width: textWidth },
  );
  doc.end();
  return done;
}

/** The signed envelope a PDF carries, or undefined when there is none or it does not parse. */
export function envelopeOfPdf(pdf: Buffer): SignedEnvelope | undefined {
  const text = pdf.toString('latin1');
  // pdfkit writes each information entry as an indirect string object: /Key n 0 R ... n 0 obj (value).
  const reference = new RegExp(`/${ENVELOPE_KEY} (\\d+) 0 R`).exec(text)?.[1];
  if (reference === undefined) return undefined;
  const value = new RegExp(`(?:^|\\n)${reference} 0 obj\\s*\\(([A-Za-z0-9_-]+)\\)`).exec(text)?.[1];
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<SignedEnvelope>;
    if (typeof parsed.signature !== 'string' || typeof parsed.document !== 'object') return undefined;
    return parsed as SignedEnvelope;
  } catch {
    return undefined;
  }
}
