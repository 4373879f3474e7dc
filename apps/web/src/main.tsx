import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { I18nProvider, initialLang, loadDictionary, type Dictionary, type Lang } from './i18n';
import { en } from './i18n/en';
import { SessionProvider } from './session';
import './styles.css';

function render(lang: Lang, dict: Dictionary): void {
  const root = document.getElementById('root');
  if (root === null) throw new Error('index.html lost its #root');
  createRoot(root).render(
    <StrictMode>
      <I18nProvider initial={{ lang, dict }}>
        <SessionProvider>
          <App />
        </SessionProvider>
      </I18nProvider>
    </StrictMode>,
  );
}

// Start in the reader's language rather than flashing English first; if that dictionary cannot
// be fetched (offline on a first visit), English is better than nothing.
const lang = initialLang();
loadDictionary(lang).then(
  (dict) => render(lang, dict),
  () => render('en', en),
);

// Offline support only for real builds: a service worker in development serves stale code.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker
      .register('/sw.js')
      .catch((error: unknown) => console.warn('service worker not registered', error));
  });
}
