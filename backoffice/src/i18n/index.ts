import { onShopClock } from '@ocp/hub/domain/paris-time';
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
      short: onShopClock({
        day: '2-digit',
        month: '2-digit',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      } as const),
      date: onShopClock({ day: 'numeric', month: 'long', year: 'numeric' } as const),
    },
    en: {
      short: onShopClock({
        day: '2-digit',
        month: '2-digit',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      } as const),
      date: onShopClock({ day: 'numeric', month: 'long', year: 'numeric' } as const),
    },
  },
});

export function setLocale(locale: 'fr' | 'en'): void {
  i18n.global.locale.value = locale;
  localStorage.setItem('ocp.locale', locale);
  document.documentElement.lang = locale;
}
