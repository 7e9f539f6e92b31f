import { Me, type StaffMember } from '@ocp/hub/contract';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { z } from 'zod';
import { api, ApiError } from '../api/http';

/** Who is using the back-office. Admins act on every shop; a manager on theirs. */
export const useSessionStore = defineStore('session', () => {
  const staff = ref<StaffMember | null>(null);
  const loaded = ref(false);

  async function load(): Promise<StaffMember | null> {
    try {
      staff.value = (await api(Me, '/api/auth/me')).staff;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      staff.value = null;
    }
    loaded.value = true;
    return staff.value;
  }

  async function login(email: string, password: string): Promise<StaffMember> {
    staff.value = (await api(Me, '/api/auth/login', { method: 'POST', body: { email, password } })).staff;
    loaded.value = true;
    return staff.value;
  }

  async function logout(): Promise<void> {
    await api(z.unknown(), '/api/auth/logout', { method: 'POST' });
    staff.value = null;
  }

  const isAdmin = computed(() => staff.value?.role === 'admin');
  /** Only admins and managers may use the back-office (the hub refuses everyone else anyway). */
  const allowed = computed(() => staff.value?.role === 'admin' || staff.value?.role === 'manager');

  return { staff, loaded, load, login, logout, isAdmin, allowed };
});
