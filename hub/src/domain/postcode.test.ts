import { describe, expect, it } from 'vitest';
import { departementOf, shopsForPostcode } from './postcode.js';

describe('departementOf', () => {
  it('reads the département of metropolitan, Corsican and overseas postcodes', () => {
    expect(departementOf('75011')).toBe('75');
    expect(departementOf('01000')).toBe('01');
    expect(departementOf('20000')).toBe('2A');
    expect(departementOf('20200')).toBe('2B');
    expect(departementOf('97400')).toBe('974');
    expect(departementOf(' 69 003 ')).toBe('69');
  });

  it('has none for what is not a French postcode', () => {
    for (const bad of ['', '7501', '750111', 'SW1A 1AA', 'abcde']) expect(departementOf(bad)).toBeNull();
  });
});

describe('shopsForPostcode', () => {
  const shops = [
    { name: 'Lyon Croix-Rousse', postcode: '69004' },
    { name: 'Paris Batignolles', postcode: '75017' },
    { name: 'Lille Vieux-Lille', postcode: '59800' },
    { name: 'Paris Oberkampf', postcode: '75011' },
    { name: 'Paris Marais', postcode: '75004' },
    { name: 'Boulogne', postcode: '92100' },
  ];
  const names = (postcode: string) => shopsForPostcode(shops, postcode).map((s) => s.name);

  it('keeps the shops of the address’s département only, the nearest postcode first', () => {
    expect(names('75012')).toEqual(['Paris Oberkampf', 'Paris Batignolles', 'Paris Marais', 'Boulogne']);
    expect(names('69001')).toEqual(['Lyon Croix-Rousse']);
  });

  it('counts Paris and the départements around it as one area, each one’s own shops first', () => {
    expect(names('92130')).toEqual(['Boulogne', 'Paris Batignolles', 'Paris Oberkampf', 'Paris Marais']);
    expect(names('93100')).toEqual(['Boulogne', 'Paris Batignolles', 'Paris Oberkampf', 'Paris Marais']);
  });

  it('lists none when no shop is in the département, and all by name for an unreadable postcode', () => {
    expect(names('13001')).toEqual([]);
    expect(names('?')).toEqual([
      'Boulogne',
      'Lille Vieux-Lille',
      'Lyon Croix-Rousse',
      'Paris Batignolles',
      'Paris Marais',
      'Paris Oberkampf',
    ]);
  });
});
