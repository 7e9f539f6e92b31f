import type { CreateOrderBody } from '../../hub/src/contract/index.js';

export const demoAddress = {
  line1: '24 rue de la Roquette',
  postcode: '75011',
  city: 'Paris',
  position: { lat: 48.8549, lng: 2.3736 },
};

/** A valid web order body, to be varied by each test. */
export function orderBody(
  overrides: Partial<CreateOrderBody> & { shopId: number; lines: CreateOrderBody['lines'] },
): CreateOrderBody {
  return {
    channel: 'web',
    mode: 'pickup',
    customer: { name: 'Camille Martin', phone: '06 12 34 56 78', email: 'camille@example.fr' },
    paymentMethod: 'at_counter',
    ...overrides,
  } as CreateOrderBody;
}

export function deliveryOrderBody(
  overrides: Partial<CreateOrderBody> & { shopId: number; lines: CreateOrderBody['lines'] },
): CreateOrderBody {
  return orderBody({
    mode: 'delivery',
    deliveryAddress: demoAddress,
    paymentMethod: 'cash_at_door',
    ...overrides,
  });
}
