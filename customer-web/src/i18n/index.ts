import { createI18n } from 'vue-i18n';
import type { Locale } from '../format';
import { en } from './en';
import { fr, type Messages } from './fr';

const KEY = 'ocp.locale';
const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY);

export const i18n = createI18n<[Messages], Locale, false>({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'fr',
  fallbackLocale: 'fr',
  messages: { fr, en },
});

export function currentLocale(): Locale {
  return i18n.global.locale.value === 'en' ? 'en' : 'fr';
}

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  localStorage.setItem(KEY, locale);
  document.documentElement.lang = locale;
}
