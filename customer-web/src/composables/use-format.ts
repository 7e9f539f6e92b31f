import { computed } from 'vue';
import { useI18n } from 'vue-i18n';
import {
  formatClock,
  formatDate,
  formatDateTime,
  formatDay,
  formatDistance,
  formatPrice,
  formatTime,
  type Locale,
} from '../format';

/** The format helpers in the page's current language. */
export function useFormat() {
  const { locale } = useI18n();
  const current = computed<Locale>(() => (locale.value === 'en' ? 'en' : 'fr'));
  return {
    locale: current,
    price: (cents: number) => formatPrice(cents, current.value),
    time: (value: Date | string) => formatTime(value, current.value),
    clock: (value: Date | string) => formatClock(value, current.value),
    date: (value: string) => formatDate(value, current.value),
    dateTime: (value: string) => formatDateTime(value, current.value),
    day: (value: Date) => formatDay(value, current.value),
    distance: (meters: number) => formatDistance(meters, current.value),
  };
}
