import { z } from 'zod';

/**
 * A guest's name, phone and e-mail, kept on this device after an order so the next one is
 * prefilled. Only what the customer typed themselves, and only in their own browser.
 */
const SavedContact = z.object({ name: z.string(), phone: z.string(), email: z.string() });
export type SavedContact = z.infer<typeof SavedContact>;

const KEY = 'ocp.contact';

export function loadContact(): SavedContact | null {
  try {
    const parsed = SavedContact.safeParse(JSON.parse(localStorage.getItem(KEY) ?? 'null'));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function saveContact(contact: SavedContact): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(contact));
  } catch {
    // Storage refused: the next order asks again.
  }
}
