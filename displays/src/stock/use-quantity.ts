import type { IngredientUnit } from '@ocp/hub/contract';
import { useI18n } from 'vue-i18n';
import { displayQuantity } from './stock-screen';

export type FormattedQuantity = { amount: string; unit: string; text: string };

/** Formats a stock quantity in the screen's language: "14,5 kg", "3 L", "110 pièces". */
export function useQuantity(): (
  quantity: number,
  unit: IngredientUnit,
  signed?: boolean,
) => FormattedQuantity {
  const { t, locale } = useI18n();
  return (quantity, unit, signed = false) => {
    const shown = displayQuantity(quantity, unit);
    const amount = new Intl.NumberFormat(locale.value, {
      maximumFractionDigits: 2,
      signDisplay: signed ? 'exceptZero' : 'auto',
    }).format(shown.amount);
    const label =
      shown.unit === 'piece'
        ? t('stock.units.piece', Math.abs(shown.amount))
        : t(`stock.units.${shown.unit}`);
    return { amount, unit: label, text: `${amount}\u00a0${label}` };
  };
}
