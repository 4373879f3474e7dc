import type { SectionDictionary } from '../i18n/section';
import type { figuresEn } from './figures-en';

/** Hindi words of the hub feedback figures. */
export const figuresHi: SectionDictionary<typeof figuresEn> = {
  'figures.title': 'समय के साथ हब की प्रतिक्रिया',
  'figures.hint': 'पिछले 13 हफ़्तों में हब डॉक्टरों ने अनुरोधों को हर हफ़्ते कैसा आँका।',
  'figures.caption': 'आँके गए अनुरोधों में पूरे, सही विशेषज्ञता के, और वीडियो की ज़रूरत वाले अनुरोधों का हिस्सा',
  'figures.week': 'हफ़्ता',
  'figures.rated': 'आँके गए',
  'figures.complete': 'पूरे',
  'figures.appropriate': 'सही विशेषज्ञता',
  'figures.video': 'वीडियो ज़रूरी',
  'figures.total': 'सभी हफ़्ते',
  'figures.none': 'इन हफ़्तों में अभी तक कोई अनुरोध नहीं आँका गया।',
};
