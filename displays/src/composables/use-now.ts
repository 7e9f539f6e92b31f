import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

/** The current time, ticking: age timers and lateness colours move without events. */
export function useNow(everyMs = 1000): Ref<Date> {
  const now = ref(new Date());
  let timer: ReturnType<typeof setInterval> | undefined;
  onMounted(() => {
    timer = setInterval(() => (now.value = new Date()), everyMs);
  });
  onBeforeUnmount(() => clearInterval(timer));
  return now;
}
