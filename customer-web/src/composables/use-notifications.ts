import { ref } from 'vue';

/**
 * Browser notifications for a tracking page left in the background. Asked only when the customer
 * presses "Me prévenir": browsers block sites that ask on their own, and so do customers.
 */
export function useNotifications() {
  const supported = typeof window !== 'undefined' && 'Notification' in window;
  const permission = ref<NotificationPermission>(supported ? Notification.permission : 'denied');

  async function ask(): Promise<void> {
    if (!supported) return;
    permission.value = await Notification.requestPermission();
  }

  function notify(title: string, body: string): void {
    if (!supported || Notification.permission !== 'granted') return;
    try {
      new Notification(title, { body, tag: 'ocp-order', lang: document.documentElement.lang });
    } catch {
      // Some mobile browsers only notify through a service worker: the page itself still updates.
    }
  }

  return { supported, permission, ask, notify };
}
