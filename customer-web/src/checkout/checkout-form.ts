import {
  CreateOrderBody,
  CustomerInput,
  DeliveryAddressInput,
  type OrderLineInput,
  type OrderMode,
  type PaymentMethod,
} from '@ocp/hub/contract';

/**
 * The checkout form as plain data, and the one check before anything is sent: the same rules as
 * the hub (its own schemas), said field by field so the page can point at what to fix.
 */
export type CheckoutDraft = {
  mode: OrderMode;
  address: { line1: string; postcode: string; city: string; instructions: string };
  /** 'asap', or the ISO time (with offset) of a slot. */
  when: string;
  name: string;
  phone: string;
  email: string;
  notes: string;
  paymentMethod: PaymentMethod;
};

export type CheckoutField =
  | 'lines'
  | 'name'
  | 'phone'
  | 'email'
  | 'line1'
  | 'postcode'
  | 'city'
  | 'instructions'
  | 'when'
  | 'notes'
  | 'paymentMethod';

/** Keys of `checkout.problem.*` in the messages. */
export type CheckoutProblem =
  'required' | 'phone' | 'email' | 'postcode' | 'tooShort' | 'tooLong' | 'past' | 'method' | 'invalid';

export function emptyDraft(mode: OrderMode = 'delivery'): CheckoutDraft {
  return {
    mode,
    address: { line1: '', postcode: '', city: '', instructions: '' },
    when: 'asap',
    name: '',
    phone: '',
    email: '',
    notes: '',
    paymentMethod: mode === 'delivery' ? 'cash_at_door' : 'at_counter',
  };
}

/** Online card first when the hub can take it; then what suits the mode. */
export function paymentMethodsFor(mode: OrderMode, onlineCard: boolean): PaymentMethod[] {
  const offline: PaymentMethod[] = mode === 'delivery' ? ['cash_at_door', 'card_at_door'] : ['at_counter'];
  return onlineCard ? ['card_online', ...offline] : offline;
}

/** Keeps the chosen payment method when it still applies, else the first one offered. */
export function fitPaymentMethod(draft: CheckoutDraft, onlineCard: boolean): CheckoutDraft {
  const methods = paymentMethodsFor(draft.mode, onlineCard);
  return methods.includes(draft.paymentMethod) ? draft : { ...draft, paymentMethod: methods[0]! };
}

function problemOf(code: string, message: string, value: unknown): CheckoutProblem {
  if (typeof value !== 'string' || value.trim() === '') return 'required';
  if (code === 'too_small') return 'tooShort';
  if (code === 'too_big') return 'tooLong';
  if (/postcode/.test(message)) return 'postcode';
  if (/phone/.test(message)) return 'phone';
  return 'invalid';
}

export type CheckoutCheck =
  | { ok: true; body: CreateOrderBody }
  | { ok: false; problems: Partial<Record<CheckoutField, CheckoutProblem>> };

export function checkCheckout(
  draft: CheckoutDraft,
  context: { shopId: number; lines: readonly OrderLineInput[]; onlineCard: boolean; now: Date },
): CheckoutCheck {
  const problems: Partial<Record<CheckoutField, CheckoutProblem>> = {};
  if (context.lines.length === 0) problems.lines = 'required';

  const email = draft.email.trim();
  const customer = { name: draft.name, phone: draft.phone, ...(email ? { email } : {}) };
  const customerCheck = CustomerInput.safeParse(customer);
  if (!customerCheck.success) {
    for (const issue of customerCheck.error.issues) {
      const field = issue.path[0] as 'name' | 'phone' | 'email';
      if (field === 'email') problems.email = 'email';
      else problems[field] ??= problemOf(issue.code, issue.message, customer[field]);
      if (field === 'phone' && problems.phone === 'invalid') problems.phone = 'phone';
    }
  }

  let deliveryAddress: CreateOrderBody['deliveryAddress'];
  if (draft.mode === 'delivery') {
    const instructions = draft.address.instructions.trim();
    const address = {
      line1: draft.address.line1,
      postcode: draft.address.postcode,
      city: draft.address.city,
      ...(instructions ? { instructions } : {}),
    };
    const addressCheck = DeliveryAddressInput.safeParse(address);
    if (addressCheck.success) deliveryAddress = addressCheck.data;
    else {
      for (const issue of addressCheck.error.issues) {
        const field = issue.path[0] as 'line1' | 'postcode' | 'city' | 'instructions';
        const problem = problemOf(issue.code, issue.message, address[field]);
        problems[field] ??= field === 'postcode' && problem !== 'required' ? 'postcode' : problem;
      }
    }
  }

  let promisedAt: string | undefined;
  if (draft.when !== 'asap') {
    const at = Date.parse(draft.when);
    if (Number.isNaN(at)) problems.when = 'invalid';
    else if (at <= context.now.getTime()) problems.when = 'past';
    else promisedAt = draft.when;
  }

  const notes = draft.notes.trim();
  if (notes.length > 500) problems.notes = 'tooLong';
  if (!paymentMethodsFor(draft.mode, context.onlineCard).includes(draft.paymentMethod)) {
    problems.paymentMethod = 'method';
  }
  if (Object.keys(problems).length > 0) return { ok: false, problems };

  const body = CreateOrderBody.safeParse({
    shopId: context.shopId,
    channel: 'web',
    mode: draft.mode,
    customer: customerCheck.success ? customerCheck.data : customer,
    ...(deliveryAddress ? { deliveryAddress } : {}),
    lines: context.lines,
    paymentMethod: draft.paymentMethod,
    ...(promisedAt ? { promisedAt } : {}),
    ...(notes ? { notes } : {}),
  });
  if (!body.success) return { ok: false, problems: problemsFromIssues(body.error.issues) };
  return { ok: true, body: body.data };
}

const FIELD_BY_PATH: Array<[RegExp, CheckoutField]> = [
  [/^customer\.name/, 'name'],
  [/^customer\.phone/, 'phone'],
  [/^customer\.email/, 'email'],
  [/^deliveryAddress\.line1/, 'line1'],
  [/^deliveryAddress\.postcode/, 'postcode'],
  [/^deliveryAddress\.city/, 'city'],
  [/^deliveryAddress\.instructions/, 'instructions'],
  [/^deliveryAddress$/, 'line1'],
  [/^lines/, 'lines'],
  [/^promisedAt/, 'when'],
  [/^notes/, 'notes'],
  [/^paymentMethod/, 'paymentMethod'],
];

/** The hub's `request/invalid` details (`{ issues: [{ path, message }] }`) as form fields. */
export function problemsFromIssues(
  issues: ReadonlyArray<{ path: string | ReadonlyArray<PropertyKey>; message: string }>,
): Partial<Record<CheckoutField, CheckoutProblem>> {
  const problems: Partial<Record<CheckoutField, CheckoutProblem>> = {};
  for (const issue of issues) {
    const path = typeof issue.path === 'string' ? issue.path : issue.path.map(String).join('.');
    const field = FIELD_BY_PATH.find(([pattern]) => pattern.test(path))?.[1];
    if (!field) continue;
    problems[field] ??=
      field === 'postcode'
        ? 'postcode'
        : field === 'phone'
          ? 'phone'
          : field === 'email'
            ? 'email'
            : 'invalid';
  }
  return problems;
}
