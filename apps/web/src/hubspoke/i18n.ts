import { createSection } from '../i18n/section';
import { hubSpokeEn } from './en';

/** Hub-and-spoke words: with its chunk, never in a patient's download. */
export const { Provider: HubSpokeI18nProvider, useSection: useHubSpokeI18n } = createSection(hubSpokeEn, {
  hi: () => import('./hi').then((module) => module.hubSpokeHi),
});
