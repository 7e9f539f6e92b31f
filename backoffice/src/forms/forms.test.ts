import { describe, expect, it } from 'vitest';
import { auditChanges, describe as describeValue } from './audit-diff';
import { groupIssues, messagesFor } from './field-errors';
import { centsToEuros, eurosToCents } from './money';
import { formToHours, hoursToForm, textToRanges } from './opening-hours';

describe('back-office forms', () => {
  it('reads euros typed with a comma or a dot, and refuses anything else', () => {
    expect(eurosToCents('9,90')).toBe(990);
    expect(eurosToCents(' 12.5 € ')).toBe(1250);
    expect(eurosToCents('11')).toBe(1100);
    expect(eurosToCents('9,999')).toBeNull();
    expect(eurosToCents('neuf')).toBeNull();
    expect(centsToEuros(990)).toBe('9,90');
  });

  it('edits a day of opening hours as one line, a closed day left out', () => {
    expect(textToRanges('11:30-14:30, 18:30 – 22:30')).toEqual(['11:30-14:30', '18:30-22:30']);
    const form = hoursToForm({ '1': ['11:30-14:30', '18:30-22:30'], '7': ['18:30-22:30'] });
    expect(form['1']).toBe('11:30-14:30, 18:30-22:30');
    expect(form['2']).toBe('');
    form['7'] = ' ';
    form['3'] = '12:00-14:00';
    expect(formToHours(form)).toEqual({ '1': ['11:30-14:30', '18:30-22:30'], '3': ['12:00-14:00'] });
  });

  it("puts the hub's messages on the field they name, nested fields included", () => {
    const errors = groupIssues([
      { path: 'openingHours.3.1', message: 'ends before it starts' },
      { path: 'recipe.0.quantity', message: 'a quantity above 0' },
      { path: 'recipe.0.quantity', message: 'too big' },
    ]);
    expect(messagesFor(errors, 'openingHours.3')).toEqual(['ends before it starts']);
    expect(messagesFor(errors, 'openingHours.1')).toEqual([]);
    expect(messagesFor(errors, 'recipe.0.quantity')).toEqual(['a quantity above 0', 'too big']);
    expect(messagesFor(errors, 'recipe.1')).toEqual([]);
  });

  it('shows what an audited change changed: the recipe line and the step, not the whole lists', () => {
    const line = (id: number, name: string, q: number, unit = 'g') => ({
      ingredientId: id,
      ingredientName: name,
      unit,
      quantity: q,
    });
    expect(
      auditChanges(
        {
          name: 'Margherita',
          recipe: [line(1, 'Pâton', 1, 'piece'), line(3, 'Mozzarella', 120), line(4, 'Basilic', 3)],
          steps: ['Étaler', 'Garnir'],
        },
        {
          name: 'Margherita',
          recipe: [line(1, 'Pâton', 1, 'piece'), line(3, 'Mozzarella', 140), line(5, 'Origan', 1)],
          steps: ['Étaler', 'Garnir généreusement', 'Enfourner'],
        },
      ),
    ).toEqual([
      { field: 'recipe', item: 'Mozzarella', before: '120 g', after: '140 g' },
      { field: 'recipe', item: 'Basilic', before: '3 g', after: '—' },
      { field: 'recipe', item: 'Origan', before: '—', after: '1 g' },
      { field: 'steps', item: '2', before: 'Garnir', after: 'Garnir généreusement' },
      { field: 'steps', item: '3', before: '—', after: 'Enfourner' },
    ]);
    expect(auditChanges(null, { name: 'Nouvelle', steps: ['a', 'b'] })).toEqual([
      { field: 'name', item: null, before: '', after: 'Nouvelle' },
      { field: 'steps', item: null, before: '', after: 'a · b' },
    ]);
    expect(describeValue({ lat: 48.8, lng: 2.3 })).toBe('lat: 48.8, lng: 2.3');
    expect(describeValue([line(3, 'Mozzarella', 120)])).toBe('120 g Mozzarella');
  });
});
