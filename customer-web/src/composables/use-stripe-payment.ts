import type { PaymentStart } from '@ocp/hub/contract';
import { loadStripe, type Stripe, type StripeElements } from '@stripe/stripe-js';
import { ref } from 'vue';
import type { Locale } from '../format';

/** The pizzeria's colours inside Stripe's form, so the payment step does not look like another site. */
const appearance = {
  theme: 'stripe' as const,
  variables: {
    colorPrimary: '#b3261e',
    colorText: '#2b1d14',
    colorDanger: '#8c1d17',
    colorBackground: '#ffffff',
    borderRadius: '10px',
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    fontSizeBase: '17px',
  },
};

/**
 * `authentication`: the bank asked for 3-D Secure and it failed or was not completed; `declined`:
 * the card was refused; otherwise the payment could not be attempted.
 */
export type ConfirmResult =
  { ok: true } | { ok: false; message: string; declined: boolean; authentication: boolean };

/**
 * Stripe's Payment Element, used through as little of Stripe.js as possible: load it, mount the
 * element, confirm. Stripe.js is loaded only through `loadStripe` (never a script tag of ours),
 * and only on the payment page.
 */
export function useStripePayment() {
  let stripe: Stripe | null = null;
  let elements: StripeElements | null = null;
  const ready = ref(false);
  /** The form says everything needed is filled in (when Stripe tells; otherwise assumed). */
  const complete = ref<boolean | null>(null);

  async function mount(start: PaymentStart, el: HTMLElement, locale: Locale): Promise<void> {
    ready.value = false;
    stripe = await loadStripe(start.publishableKey);
    if (!stripe) throw new Error('Stripe.js could not be loaded');
    elements = stripe.elements({ clientSecret: start.clientSecret, locale, appearance });
    const payment = elements.create('payment', { layout: 'tabs' });
    payment.on('change', (event) => {
      complete.value = Boolean(event?.complete);
    });
    payment.mount(el);
    ready.value = true;
  }

  async function confirm(returnUrl: string): Promise<ConfirmResult> {
    if (!stripe || !elements) {
      return { ok: false, message: 'Stripe.js is not ready', declined: false, authentication: false };
    }
    // Stripe.js runs 3-D Secure itself (its modal over this page) before it resolves.
    const { error, paymentIntent } = await stripe.confirmPayment({
      elements,
      redirect: 'if_required',
      confirmParams: { return_url: returnUrl },
    });
    if (error) {
      const authentication = error.code === 'payment_intent_authentication_failure';
      return {
        ok: false,
        message: error.message ?? '',
        authentication,
        declined:
          !authentication &&
          (error.code === 'card_declined' || error.decline_code !== undefined || error.type === 'card_error'),
      };
    }
    // The authentication was left unfinished (its window closed): nothing was charged.
    if (paymentIntent?.status === 'requires_action' || paymentIntent?.status === 'requires_payment_method') {
      return { ok: false, message: '', declined: false, authentication: true };
    }
    return { ok: true };
  }

  return { ready, complete, mount, confirm };
}
