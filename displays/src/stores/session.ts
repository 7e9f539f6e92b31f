import { Me, type StaffMember } from '@ocp/hub/contract';
import { z } from 'zod';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api, ApiError } from '../api/http';

/** The staff member logged in on this screen. */
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

  return { staff, loaded, load, login, logout };
});

/** Where each role works. */
export function homeOf(staff: StaffMember): string {
  switch (staff.role) {
    case 'kitchen':
      return '/kitchen';
    case 'counter':
      return '/counter';
    case 'courier':
      return '/courier';
    default:
      return '/manager';
  }
}
