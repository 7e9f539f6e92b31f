import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

/** The current time, ticking: time slots and "stale since" move without events. */
export function useNow(everyMs = 30_000): Ref<Date> {
  const now = ref(new Date());
  let timer: ReturnType<typeof setInterval> | undefined;
  onMounted(() => {
    timer = setInterval(() => (now.value = new Date()), everyMs);
  });
  onBeforeUnmount(() => clearInterval(timer));
  return now;
}
