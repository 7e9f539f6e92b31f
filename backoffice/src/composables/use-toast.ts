import { ref } from 'vue';

const message = ref<string | null>(null);
let timer: ReturnType<typeof setTimeout> | undefined;

/** One short confirmation at a time, shown by App.vue ("Enregistré"). */
export function useToast() {
  function show(text: string): void {
    message.value = text;
    clearTimeout(timer);
    timer = setTimeout(() => (message.value = null), 5000);
  }
  return { message, show };
}
