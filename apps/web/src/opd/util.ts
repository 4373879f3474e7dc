import type { Profile } from './types';

/** A fresh id per action (tokens, uploads, profiles): a retry of the same action reuses it. */
export function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Age in whole years today, from a birth date or (roughly) a birth year. */
export function ageOf(person: Pick<Profile, 'birthDate' | 'birthYear'>, now = new Date()): number | null {
  if (person.birthDate !== null) {
    const [year, month, day] = person.birthDate.split('-').map(Number) as [number, number, number];
    const before = now.getMonth() + 1 < month || (now.getMonth() + 1 === month && now.getDate() < day);
    return now.getFullYear() - year - (before ? 1 : 0);
  }
  return person.birthYear === null ? null : now.getFullYear() - person.birthYear;
}

/** "Hindi" or "हिन्दी", from the browser's own data, so that no dictionary carries language names. */
export function languageNamer(locale: string): (code: string) => string {
  let names: Intl.DisplayNames | undefined;
  try {
    names = new Intl.DisplayNames([locale], { type: 'language' });
  } catch {
    names = undefined;
  }
  return (code) => names?.of(code) ?? code;
}

/** sessionStorage that never throws (blocked storage loses only the convenience). */
export const visit = {
  get(key: string): unknown {
    try {
      const raw = sessionStorage.getItem(key);
      return raw === null ? undefined : (JSON.parse(raw) as unknown);
    } catch {
      return undefined;
    }
  },
  set(key: string, value: unknown): void {
    try {
      sessionStorage.setItem(key, JSON.stringify(value));
    } catch {
      // Not kept.
    }
  },
  remove(key: string): void {
    try {
      sessionStorage.removeItem(key);
    } catch {
      // Nothing kept.
    }
  },
};

/** Makes the phone buzz, ring and show a notification where the person allowed it. */
export function alertPerson(title: string, body: string): void {
  try {
    if ('vibrate' in navigator) navigator.vibrate([400, 200, 400, 200, 400]);
  } catch {
    // No vibration motor or not allowed.
  }
  try {
    const audio = window as unknown as { AudioContext?: typeof AudioContext; webkitAudioContext?: typeof AudioContext };
    const AudioContextClass = audio.AudioContext ?? audio.webkitAudioContext;
    if (AudioContextClass !== undefined) {
      const context = new AudioContextClass();
      const tone = (start: number) => {
        const oscillator = context.createOscillator();
        const gain = context.createGain();
        oscillator.frequency.value = 880;
        gain.gain.setValueAtTime(0.25, context.currentTime + start);
        gain.gain.exponentialRampToValueAtTime(0.001, context.currentTime + start + 0.4);
        oscillator.connect(gain).connect(context.destination);
        oscillator.start(context.currentTime + start);
        oscillator.stop(context.currentTime + start + 0.45);
      };
      tone(0);
      tone(0.6);
      tone(1.2);
      window.setTimeout(() => void context.close().catch(() => undefined), 2500);
    }
  } catch {
    // Sound blocked until the person taps the page: the screen still shows the call.
  }
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const options = { body, tag: 'sanjog-call', renotify: true, requireInteraction: true } as NotificationOptions;
  // Android Chrome only shows notifications through the service worker.
  const viaWorker =
    'serviceWorker' in navigator
      ? navigator.serviceWorker.getRegistration().then((registration) => {
          if (registration === undefined) throw new Error('no service worker');
          return registration.showNotification(title, options);
        })
      : Promise.reject(new Error('no service worker'));
  viaWorker.catch(() => {
    try {
      new Notification(title, options);
    } catch {
      // Not allowed here.
    }
  });
}
