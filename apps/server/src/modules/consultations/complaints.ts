import type { TerminologyService } from '../terminology/index.js';
import type { ComplaintEntry, DurationUnit, Severity } from './model.js';
import type { FieldIssue } from './vitals.js';

/** A chief complaint as a caller sends it: a code of the list with its duration, severity and note. */
export interface ComplaintInput {
  code: string;
  duration?: { value: number; unit: DurationUnit } | undefined;
  severity?: Severity | undefined;
  note?: string | undefined;
}

/**
 * Codes chief complaints against the country pack's list: each entry keeps the code, its SNOMED CT
 * finding and its English and Hindi display as they are now. Unknown and repeated codes are
 * added to `issues`, named `${fieldPrefix}.${index}.code`. Used by consultations and by the
 * hub-and-spoke request, so that both record complaints the same way.
 */
export async function codeComplaints(
  terminology: Pick<TerminologyService, 'complaint'>,
  input: readonly ComplaintInput[],
  fieldPrefix: string,
  issues: FieldIssue[],
): Promise<ComplaintEntry[]> {
  const seen = new Set<string>();
  const entries: ComplaintEntry[] = [];
  for (const [index, complaint] of input.entries()) {
    const field = `${fieldPrefix}.${String(index)}.code`;
    const term = await terminology.complaint(complaint.code);
    if (term === undefined) {
      issues.push({ field, message: `${complaint.code} is not a chief complaint of the list` });
      continue;
    }
    if (seen.has(term.code)) {
      issues.push({ field, message: `${term.code} is listed twice` });
      continue;
    }
    seen.add(term.code);
    const note = complaint.note?.trim();
    entries.push({
      code: term.code,
      snomedCode: term.snomedCode,
      display: term.name,
      displayHi: term.nameHi,
      redFlag: term.redFlag,
      duration: complaint.duration ?? null,
      severity: complaint.severity ?? null,
      note: note === undefined || note === '' ? null : note,
    });
  }
  return entries;
}
