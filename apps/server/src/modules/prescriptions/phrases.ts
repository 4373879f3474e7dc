/**
 * How a prescription item reads to the patient: the structured dose, frequency, timing,
 * duration and route in English and in the patient's language. A country pack adds a language
 * here with one phrasebook (its words), its labels and link SMS, and a font in the PDF; the
 * states whose patients read it default to it. Hindi and Kannada so far.
 */

import {
  DOSE_UNITS,
  DURATION_UNITS,
  FREQUENCIES,
  PRESCRIPTION_LANGUAGES as LANGUAGES,
  TIMINGS,
  type DoseUnit,
  type DurationUnit,
  type Frequency,
  type PrescriptionLanguage as Language,
  type Timing,
} from '@sanjog/shared';

export { DOSE_UNITS, DURATION_UNITS, FREQUENCIES, LANGUAGES, TIMINGS };
export type { DoseUnit, DurationUnit, Frequency, Language, Timing };

/** The abbreviations pharmacists in India read (OD, BD, TDS ...). */
export const FREQUENCY_ABBREVIATIONS: Record<Frequency, string> = {
  once_daily: 'OD',
  twice_daily: 'BD',
  thrice_daily: 'TDS',
  four_times_daily: 'QID',
  morning: 'OD (morning)',
  at_bedtime: 'HS',
  as_needed: 'SOS',
  once_weekly: 'Once a week',
  once: 'STAT',
};

/** Times a day, for FHIR timing (a week is 1/7; as needed and once have none). */
export const FREQUENCY_TIMING: Record<Frequency, { frequency: number; period: number; periodUnit: 'd' | 'wk' } | null> =
  {
    once_daily: { frequency: 1, period: 1, periodUnit: 'd' },
    twice_daily: { frequency: 2, period: 1, periodUnit: 'd' },
    thrice_daily: { frequency: 3, period: 1, periodUnit: 'd' },
    four_times_daily: { frequency: 4, period: 1, periodUnit: 'd' },
    morning: { frequency: 1, period: 1, periodUnit: 'd' },
    at_bedtime: { frequency: 1, period: 1, periodUnit: 'd' },
    as_needed: null,
    once_weekly: { frequency: 1, period: 1, periodUnit: 'wk' },
    once: null,
  };

export interface Phrasebook {
  frequency: Record<Frequency, string>;
  timing: Record<Timing, string>;
  dose: Record<DoseUnit, [one: string, many: string]>;
  duration: Record<DurationUnit, [one: string, many: string]>;
  /** "for N days", given "N days" as composed from the duration words. */
  forDuration: (amount: string) => string;
  route: Record<string, string>;
}

/** One phrasebook per language: the words the directions are composed of. */
export const PHRASES: Record<Language, Phrasebook> = {
  en: {
    frequency: {
      once_daily: 'once a day',
      twice_daily: 'twice a day',
      thrice_daily: 'three times a day',
      four_times_daily: 'four times a day',
      morning: 'every morning',
      at_bedtime: 'at bedtime',
      as_needed: 'when needed',
      once_weekly: 'once a week',
      once: 'once only',
    },
    timing: {
      before_food: 'before food',
      after_food: 'after food',
      with_food: 'with food',
      empty_stomach: 'on an empty stomach',
      any_time: 'at any time',
    },
    dose: {
      tablet: ['tablet', 'tablets'],
      capsule: ['capsule', 'capsules'],
      ml: ['ml', 'ml'],
      drop: ['drop', 'drops'],
      puff: ['puff', 'puffs'],
      application: ['application', 'applications'],
      sachet: ['sachet', 'sachets'],
      unit: ['unit', 'units'],
      mg: ['mg', 'mg'],
      injection: ['injection', 'injections'],
    },
    duration: { days: ['day', 'days'], weeks: ['week', 'weeks'], months: ['month', 'months'] },
    forDuration: (amount) => `for ${amount}`,
    route: {
      oral: 'by mouth',
      sublingual: 'under the tongue',
      topical: 'on the skin',
      ophthalmic: 'in the eye',
      otic: 'in the ear',
      nasal: 'in the nose',
      inhalation: 'inhaled',
      rectal: 'rectally',
      vaginal: 'vaginally',
      injection: 'by injection',
      device: 'as shown',
    },
  },
  hi: {
    frequency: {
      once_daily: 'दिन में एक बार',
      twice_daily: 'दिन में दो बार',
      thrice_daily: 'दिन में तीन बार',
      four_times_daily: 'दिन में चार बार',
      morning: 'रोज़ सुबह',
      at_bedtime: 'रात को सोते समय',
      as_needed: 'ज़रूरत होने पर',
      once_weekly: 'हफ़्ते में एक बार',
      once: 'केवल एक बार',
    },
    timing: {
      before_food: 'खाने से पहले',
      after_food: 'खाने के बाद',
      with_food: 'खाने के साथ',
      empty_stomach: 'खाली पेट',
      any_time: 'किसी भी समय',
    },
    dose: {
      tablet: ['गोली', 'गोली'],
      capsule: ['कैप्सूल', 'कैप्सूल'],
      ml: ['मि.ली.', 'मि.ली.'],
      drop: ['बूँद', 'बूँदें'],
      puff: ['पफ़', 'पफ़'],
      application: ['बार लगाएँ', 'बार लगाएँ'],
      sachet: ['पाउच', 'पाउच'],
      unit: ['यूनिट', 'यूनिट'],
      mg: ['मि.ग्रा.', 'मि.ग्रा.'],
      injection: ['इंजेक्शन', 'इंजेक्शन'],
    },
    duration: { days: ['दिन', 'दिन'], weeks: ['हफ़्ता', 'हफ़्ते'], months: ['महीना', 'महीने'] },
    forDuration: (amount) => `${amount} तक`,
    route: {
      oral: 'मुँह से',
      sublingual: 'जीभ के नीचे',
      topical: 'त्वचा पर',
      ophthalmic: 'आँख में',
      otic: 'कान में',
      nasal: 'नाक में',
      inhalation: 'साँस से',
      rectal: 'गुदा मार्ग से',
      vaginal: 'योनि मार्ग से',
      injection: 'इंजेक्शन से',
      device: 'बताए अनुसार',
    },
  },
  kn: {
    frequency: {
      once_daily: 'ದಿನಕ್ಕೆ ಒಂದು ಬಾರಿ',
      twice_daily: 'ದಿನಕ್ಕೆ ಎರಡು ಬಾರಿ',
      thrice_daily: 'ದಿನಕ್ಕೆ ಮೂರು ಬಾರಿ',
      four_times_daily: 'ದಿನಕ್ಕೆ ನಾಲ್ಕು ಬಾರಿ',
      morning: 'ಪ್ರತಿದಿನ ಬೆಳಿಗ್ಗೆ',
      at_bedtime: 'ರಾತ್ರಿ ಮಲಗುವ ಮುನ್ನ',
      as_needed: 'ಅಗತ್ಯವಿದ್ದಾಗ',
      once_weekly: 'ವಾರಕ್ಕೆ ಒಂದು ಬಾರಿ',
      once: 'ಒಂದೇ ಬಾರಿ ಮಾತ್ರ',
    },
    timing: {
      before_food: 'ಊಟಕ್ಕೆ ಮೊದಲು',
      after_food: 'ಊಟದ ನಂತರ',
      with_food: 'ಊಟದ ಜೊತೆ',
      empty_stomach: 'ಖಾಲಿ ಹೊಟ್ಟೆಯಲ್ಲಿ',
      any_time: 'ಯಾವುದೇ ಸಮಯದಲ್ಲಿ',
    },
    // After a number the unit stays singular, as on a pharmacy label ("2 ಮಾತ್ರೆ").
    dose: {
      tablet: ['ಮಾತ್ರೆ', 'ಮಾತ್ರೆ'],
      capsule: ['ಕ್ಯಾಪ್ಸೂಲ್', 'ಕ್ಯಾಪ್ಸೂಲ್'],
      ml: ['ಮಿ.ಲೀ.', 'ಮಿ.ಲೀ.'],
      drop: ['ಹನಿ', 'ಹನಿ'],
      puff: ['ಪಫ್', 'ಪಫ್'],
      application: ['ಬಾರಿ ಹಚ್ಚಿ', 'ಬಾರಿ ಹಚ್ಚಿ'],
      sachet: ['ಪ್ಯಾಕೆಟ್', 'ಪ್ಯಾಕೆಟ್'],
      unit: ['ಯೂನಿಟ್', 'ಯೂನಿಟ್'],
      mg: ['ಮಿ.ಗ್ರಾಂ.', 'ಮಿ.ಗ್ರಾಂ.'],
      injection: ['ಇಂಜೆಕ್ಷನ್', 'ಇಂಜೆಕ್ಷನ್'],
    },
    // The genitive forms that "ಕಾಲ" (for a period of) follows: "3 ದಿನಗಳ ಕಾಲ", "1 ವಾರದ ಕಾಲ".
    duration: { days: ['ದಿನದ', 'ದಿನಗಳ'], weeks: ['ವಾರದ', 'ವಾರಗಳ'], months: ['ತಿಂಗಳ', 'ತಿಂಗಳ'] },
    forDuration: (amount) => `${amount} ಕಾಲ`,
    route: {
      oral: 'ಬಾಯಿಯ ಮೂಲಕ',
      sublingual: 'ನಾಲಿಗೆಯ ಕೆಳಗೆ',
      topical: 'ಚರ್ಮದ ಮೇಲೆ',
      ophthalmic: 'ಕಣ್ಣಿಗೆ',
      otic: 'ಕಿವಿಗೆ',
      nasal: 'ಮೂಗಿಗೆ',
      inhalation: 'ಉಸಿರಿನ ಮೂಲಕ',
      rectal: 'ಗುದದ್ವಾರದ ಮೂಲಕ',
      vaginal: 'ಯೋನಿಯ ಮೂಲಕ',
      injection: 'ಇಂಜೆಕ್ಷನ್ ಮೂಲಕ',
      device: 'ತೋರಿಸಿದಂತೆ',
    },
  },
};

export interface SigParts {
  dose: { value: number; unit: DoseUnit };
  frequency: Frequency;
  timing: Timing | null;
  duration: { value: number; unit: DurationUnit } | null;
  route: string;
}

const amount = (value: number, [one, many]: [string, string]): string => `${value} ${value === 1 ? one : many}`;

/** The directions of one item in a language: "1 tablet, twice a day, after food, for 5 days (by mouth)". */
export function directions(parts: SigParts, language: Language): string {
  const book = PHRASES[language];
  const pieces = [amount(parts.dose.value, book.dose[parts.dose.unit]), book.frequency[parts.frequency]];
  if (parts.timing !== null) pieces.push(book.timing[parts.timing]);
  if (parts.duration !== null)
    pieces.push(book.forDuration(amount(parts.duration.value, book.duration[parts.duration.unit])));
  const route = book.route[parts.route];
  return `${pieces.join(', ')}${route === undefined ? '' : ` (${route})`}`;
}

/** Labels printed on the PDF, in English and the patient's language. */
export const LABELS: Record<Language, Record<'investigations' | 'advice' | 'followUp' | 'instructions', string>> = {
  en: { investigations: 'Investigations', advice: 'Advice', followUp: 'Follow-up on', instructions: 'Instructions' },
  hi: { investigations: 'जाँच', advice: 'सलाह', followUp: 'दोबारा दिखाएँ', instructions: 'निर्देश' },
  kn: { investigations: 'ಪರೀಕ್ಷೆಗಳು', advice: 'ಸಲಹೆ', followUp: 'ಮರುಭೇಟಿ ದಿನಾಂಕ', instructions: 'ಸೂಚನೆಗಳು' },
};

/** The SMS that brings the patient the public link, in the prescription's language. */
export const LINK_SMS: Record<Language, (doctor: string, date: string, url: string) => string> = {
  en: (doctor, date, url) => `Your e-prescription from ${doctor} (${date}): ${url} Show it at any pharmacy. Sanjog`,
  hi: (doctor, date, url) => `${doctor} का ई-पर्चा (${date}): ${url} किसी भी दवा दुकान पर दिखाएँ। Sanjog`,
  kn: (doctor, date, url) => `${doctor} ಅವರ ಇ-ಪ್ರಿಸ್ಕ್ರಿಪ್ಷನ್ (${date}): ${url} ಯಾವುದೇ ಔಷಧ ಅಂಗಡಿಯಲ್ಲಿ ತೋರಿಸಿ. Sanjog`,
};

/**
 * The language a state's patients read, where a prescription can be printed in it (India: the
 * Hindi-speaking states, and Karnataka). A state not named here prints English alone unless the
 * patient chose one of the languages.
 */
export const STATE_LANGUAGES: Readonly<Record<string, Language>> = {
  'IN-02': 'hi', // Himachal Pradesh
  'IN-05': 'hi', // Uttarakhand
  'IN-06': 'hi', // Haryana
  'IN-07': 'hi', // Delhi
  'IN-08': 'hi', // Rajasthan
  'IN-09': 'hi', // Uttar Pradesh
  'IN-10': 'hi', // Bihar
  'IN-20': 'hi', // Jharkhand
  'IN-22': 'hi', // Chhattisgarh
  'IN-23': 'hi', // Madhya Pradesh
  'IN-29': 'kn', // Karnataka
};

/**
 * A new prescription's language when the doctor names none: the patient's own, when they chose
 * one of ours other than English (English is every account's default, so it says nothing), else
 * their state's, else English.
 */
export function defaultLanguage(stateId: string, preferred: string | null): Language {
  const chosen = LANGUAGES.find((language) => language !== 'en' && language === preferred);
  return chosen ?? STATE_LANGUAGES[stateId] ?? 'en';
}
