import { onMounted, ref, shallowRef } from 'vue';
import { ApiError } from '../api/http';

/** A screen's data: loaded on mount, reloadable, with the hub's refusal as a sentence. */
export function useLoad<T>(load: () => Promise<T>) {
  const data = shallowRef<T | null>(null);
  const error = ref<string | null>(null);
  const loading = ref(false);

  async function reload(): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      data.value = await load();
    } catch (e) {
      error.value = e instanceof ApiError ? e.message : (e as Error).message;
    } finally {
      loading.value = false;
    }
  }
  onMounted(reload);
  return { data, error, loading, reload };
}
