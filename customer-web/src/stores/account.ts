import type { CustomerAccount, RegisterCustomerBody, TrackedOrder } from '@ocp/hub/contract';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { hub } from '../api/hub';
import { ApiError } from '../api/http';

/** The logged-in customer, if any (a session cookie the hub set at login or registration). */
export const useAccountStore = defineStore('account', () => {
  const customer = ref<CustomerAccount | null>(null);
  /** Whether the hub was asked at least once (the checkout waits for it before prefilling). */
  const checked = ref(false);
  let checking: Promise<CustomerAccount | null> | null = null;

  function refresh(): Promise<CustomerAccount | null> {
    checking ??= hub
      .me()
      .then((me) => (customer.value = me.customer))
      .catch((error: unknown) => {
        // 401: a guest. Anything else: also treated as a guest, asked again on the next page.
        if (!(error instanceof ApiError && error.status === 401)) checking = null;
        return (customer.value = null);
      })
      .finally(() => (checked.value = true));
    return checking;
  }

  async function login(email: string, password: string): Promise<void> {
    customer.value = (await hub.login({ email, password })).customer;
    checking = Promise.resolve(customer.value);
    checked.value = true;
  }

  /** A sign-up: the account is usable once its e-mail link is opened (verifyEmail). */
  async function register(body: RegisterCustomerBody): Promise<string> {
    return (await hub.register(body)).email;
  }

  async function verifyEmail(token: string): Promise<void> {
    customer.value = (await hub.verifyEmail({ token })).customer;
    checking = Promise.resolve(customer.value);
    checked.value = true;
  }

  async function logout(): Promise<void> {
    await hub.logout();
    customer.value = null;
    checking = Promise.resolve(null);
  }

  async function orders(): Promise<TrackedOrder[]> {
    return (await hub.myOrders()).orders;
  }

  return { customer, checked, refresh, login, register, verifyEmail, logout, orders };
});
