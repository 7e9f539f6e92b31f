import { createI18n } from 'vue-i18n';
import { en } from './en';
import { fr } from './fr';

const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem('ocp.locale');

export const i18n = createI18n({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'fr',
  fallbackLocale: 'fr',
  messages: { fr, en },
  datetimeFormats: {
    fr: {
      time: { hour: '2-digit', minute: '2-digit' },
      dayTime: { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' },
      clock: { hour: '2-digit', minute: '2-digit', second: '2-digit' },
      day: { weekday: 'short', day: 'numeric' },
    },
    en: {
      time: { hour: '2-digit', minute: '2-digit' },
      dayTime: { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' },
      clock: { hour: '2-digit', minute: '2-digit', second: '2-digit' },
      day: { weekday: 'short', day: 'numeric' },
    },
  },
});

export function setLocale(locale: 'fr' | 'en'): void {
  i18n.global.locale.value = locale;
  localStorage.setItem('ocp.locale', locale);
  document.documentElement.lang = locale;
}
