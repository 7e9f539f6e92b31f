import { ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { ApiError } from '../api/http';
import { groupIssues, messagesFor, type FieldErrors } from '../forms/field-errors';
import { useToast } from './use-toast';

/**
 * A form's save: one request at a time, the hub's per-field messages kept for the fields they
 * name, any other refusal as one sentence, "saved" as a toast.
 */
export function useSave() {
  const { t } = useI18n();
  const toast = useToast();
  const saving = ref(false);
  const errors = ref<FieldErrors>({});
  const failure = ref<string | null>(null);

  async function run<T>(request: () => Promise<T>, savedMessage = t('form.saved')): Promise<T | undefined> {
    if (saving.value) return undefined;
    saving.value = true;
    errors.value = {};
    failure.value = null;
    try {
      const result = await request();
      toast.show(savedMessage);
      return result;
    } catch (error) {
      if (error instanceof ApiError) {
        errors.value = groupIssues(error.issues);
        failure.value = error.issues.length > 0 ? t('form.invalid') : error.message;
      } else {
        failure.value = (error as Error).message;
      }
      return undefined;
    } finally {
      saving.value = false;
    }
  }

  return {
    saving,
    errors,
    failure,
    run,
    /** The messages for a field (and the fields inside it). */
    messages: (path: string) => messagesFor(errors.value, path),
    /** The messages for exactly this path (a list's own, not its items'). */
    only: (path: string) => errors.value[path] ?? [],
    reset: () => {
      errors.value = {};
      failure.value = null;
    },
  };
}
