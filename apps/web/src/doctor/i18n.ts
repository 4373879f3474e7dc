import { createSection } from '../i18n/section';
import { doctorEn } from './en';

/** The OPD doctor's console words: with its chunk, never in a patient's download. */
export const { Provider: DoctorI18nProvider, useSection: useDoctorI18n } = createSection(doctorEn, {
  hi: () => import('./hi').then((module) => module.doctorHi),
});

export type DoctorI18n = ReturnType<typeof useDoctorI18n>;
