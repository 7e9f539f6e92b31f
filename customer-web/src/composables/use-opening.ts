import type { Shop } from '@ocp/hub/contract';
import { useI18n } from 'vue-i18n';
import { openState, slotDay, type OpenState } from '../checkout/time-slots';
import { useFormat } from './use-format';

/** A shop's opening state in words: "Ouvert jusqu’à 22:30", "Fermé — ouvre demain à 11:30". */
export function useOpening() {
  const { t } = useI18n();
  const format = useFormat();

  function when(at: Date, now: Date, keys: { today: string; tomorrow: string; later: string }): string {
    const time = format.time(at);
    const day = slotDay(at, now);
    if (day === 'today') return t(keys.today, { time });
    if (day === 'tomorrow') return t(keys.tomorrow, { time });
    return t(keys.later, { time, day: format.day(at) });
  }

  function stateText(state: OpenState, now: Date): string {
    if (state.open) {
      return state.closesAt
        ? t('home.shop.openUntil', { time: format.time(state.closesAt) })
        : t('home.shop.openNow');
    }
    if (!state.opensAt) return t('home.shop.closedWeek');
    return when(state.opensAt, now, {
      today: 'home.shop.opensAt',
      tomorrow: 'home.shop.opensTomorrow',
      later: 'home.shop.opensOn',
    });
  }

  return {
    /** Null for a shop that is not open yet (it shows its opening date instead). */
    opening(shop: Shop, now: Date): { open: boolean; text: string; closure: string | null } | null {
      if (shop.status !== 'open') return null;
      const state = openState(shop, now);
      const closure = state.open ? null : state.closure;
      return {
        open: state.open,
        text: stateText(state, now),
        closure: closure
          ? closure.reason
            ? t('home.shop.closureReason', { reason: closure.reason })
            : t('home.shop.closure')
          : null,
      };
    },
    /** "Aujourd’hui vers 19:45", "Demain vers 11:30", "samedi 5 décembre vers 12:00". */
    slotLabel: (at: Date, now: Date) =>
      when(at, now, { today: 'checkout.slot', tomorrow: 'checkout.slotTomorrow', later: 'checkout.slotOn' }),
  };
}
