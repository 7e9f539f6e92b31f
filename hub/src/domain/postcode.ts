/**
 * A French postcode's département: the first two digits, except Corsica (20xxx: 2A below 20200,
 * 2B from it) and overseas (97x, 98x: three digits). Null for anything that is not a French
 * postcode.
 */
export function departementOf(postcode: string): string | null {
  const code = postcode.replace(/\s/g, '');
  if (!/^\d{5}$/.test(code)) return null;
  if (code.startsWith('20')) return Number(code) < 20200 ? '2A' : '2B';
  if (code.startsWith('97') || code.startsWith('98')) return code.slice(0, 3);
  return code.slice(0, 2);
}

/**
 * Paris is a city inside its ring road: a pizzeria just outside it (Boulogne, Montreuil…)
 * delivers into Paris and the other way round, so Paris and the three départements around it
 * count as one area. Elsewhere a département is its own area.
 */
const AREAS: Readonly<Record<string, string>> = {
  '75': 'paris',
  '92': 'paris',
  '93': 'paris',
  '94': 'paris',
};
const areaOf = (departement: string) => AREAS[departement] ?? departement;

/**
 * Without a position (no Maps key, Google down), the shops a customer's postcode can be served
 * from: those of the same area (`AREAS`), the same département first, then the nearest postcode
 * (75011 is closer to 75004 than to 75017 often enough to be the better guess), ties by name. A
 * Paris address no longer lists Lyon and Lille. An unreadable postcode keeps every shop, sorted
 * by name: the customer chooses.
 */
export function shopsForPostcode<S extends { postcode: string; name: string }>(
  shops: readonly S[],
  postcode: string,
): S[] {
  const wanted = departementOf(postcode);
  if (wanted === null) return [...shops].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  const target = Number(postcode.replace(/\s/g, ''));
  const otherDepartement = (s: S) => (departementOf(s.postcode) === wanted ? 0 : 1);
  return shops
    .filter((s) => {
      const d = departementOf(s.postcode);
      return d !== null && areaOf(d) === areaOf(wanted);
    })
    .sort(
      (a, b) =>
        otherDepartement(a) - otherDepartement(b) ||
        Math.abs(Number(a.postcode) - target) - Math.abs(Number(b.postcode) - target) ||
        a.name.localeCompare(b.name, 'fr'),
    );
}
