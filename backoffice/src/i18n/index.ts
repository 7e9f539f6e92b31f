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
      short: { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' },
      date: { day: 'numeric', month: 'long', year: 'numeric' },
    },
    en: {
      short: { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' },
      date: { day: 'numeric', month: 'long', year: 'numeric' },
    },
  },
});

export function setLocale(locale: 'fr' | 'en'): void {
  i18n.global.locale.value = locale;
  localStorage.setItem('ocp.locale', locale);
  document.documentElement.lang = locale;
}
