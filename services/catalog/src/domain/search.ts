/**
 * Name search: case- and accent-insensitive, tokenised, prefix match. Each product stores every
 * prefix of every word of its name (`searchPrefixes`, a multikey index), so a query is an index
 * lookup on its most selective word plus an $all on the others — no scan, whatever the catalog size.
 */

/** Prefixes longer than this are not stored; longer query words are cut to it. */
export const MAX_PREFIX_LENGTH = 24;
/** More query words than this are ignored (they can only narrow an already tiny result). */
export const MAX_QUERY_WORDS = 8;

/** Lower-case words without diacritics: "Crème Brûlée 2x" → ["creme", "brulee", "2x"]. */
export function words(text: string): string[] {
  const folded = text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  return folded.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Every prefix (1..MAX_PREFIX_LENGTH chars) of every word of the name, deduplicated. */
export function searchPrefixes(name: string): string[] {
  const out = new Set<string>();
  for (const word of words(name)) {
    const max = Math.min(word.length, MAX_PREFIX_LENGTH);
    for (let n = 1; n <= max; n++) out.add(word.slice(0, n));
  }
  return [...out];
}

/** The query's words, cut to the stored prefix length, longest (most selective) first. */
export function queryTerms(query: string): string[] {
  const terms = [...new Set(words(query).map((w) => w.slice(0, MAX_PREFIX_LENGTH)))];
  return terms.sort((a, b) => b.length - a.length).slice(0, MAX_QUERY_WORDS);
}

/** The store filter matching names that contain a word starting with each term. */
export function searchFilter(terms: string[]): Record<string, unknown> {
  const [first, ...rest] = terms;
  if (first === undefined) return {};
  // The first term is an equality (the index lookup); the rest are checked on the candidates.
  return rest.length === 0
    ? { searchPrefixes: first }
    : { $and: [{ searchPrefixes: first }, { searchPrefixes: { $all: rest } }] };
}

/** Sort key of a name: folded and lower-cased so "apple" and "Äpfel" order naturally. */
export function sortKey(name: string): string {
  return words(name).join(' ');
}
