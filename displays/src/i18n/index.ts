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
  // Staff screens show the shop's clock, never the device's: every `d(…)` goes through these.
  datetimeFormats: { fr: staffFormats(), en: staffFormats() },
});

function staffFormats() {
  return {
    time: onShopClock({ hour: '2-digit', minute: '2-digit' } as const),
    dayTime: onShopClock({
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
    } as const),
    clock: onShopClock({ hour: '2-digit', minute: '2-digit', second: '2-digit' } as const),
    day: onShopClock({ weekday: 'short', day: 'numeric' } as const),
  };
}

export function setLocale(locale: 'fr' | 'en'): void {
  i18n.global.locale.value = locale;
  localStorage.setItem('ocp.locale', locale);
  document.documentElement.lang = locale;
}
