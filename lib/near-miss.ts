/**
 * "Did you mean …" for a mistyped id, code, key or name: the known values closest to what was typed, by edit
 * distance (optimal string alignment: insertions, deletions, substitutions and swaps of neighbours each cost 1),
 * ignoring case; counted in characters, so 甲 is one edit from 甲县.
 */

/**
 * The known values nearest to `value`; none when nothing is close, or when more than `max` are equally close (a
 * guess among many helps nobody).
 */
export function nearMisses(value: string, known: Iterable<string>, max = 2): string[] {
  const typed = value.toLowerCase();
  const scored: { candidate: string; distance: number }[] = [];
  for (const candidate of new Set(known)) {
    if (candidate === value) return [];
    const distance = editDistance(typed, candidate.toLowerCase());
    if (distance <= allowance(value, candidate)) scored.push({ candidate, distance });
  }
  if (scored.length === 0) {
    // A truncated code (nh3 for nh3_n) is further than one edit but plainly meant.
    const prefixed = [...new Set(known)].filter((k) => typed.length >= 3 && k.toLowerCase().startsWith(typed));
    return prefixed.length > 0 && prefixed.length <= max ? prefixed : [];
  }
  const best = Math.min(...scored.map((s) => s.distance));
  const nearest = scored.filter((s) => s.distance === best).map((s) => s.candidate);
  return nearest.length <= max ? nearest : [];
}

/** `did you mean "a"?` / `did you mean "a" or "b"?`, or undefined when nothing is close. */
export function didYouMean(value: string, known: Iterable<string>, quote: (s: string) => string = (s) => JSON.stringify(s)): string | undefined {
  const near = nearMisses(value, known);
  if (near.length === 0) return undefined;
  return `did you mean ${near.map(quote).join(' or ')}?`;
}

/** Edits tolerated: one for short words, then one per three characters. */
function allowance(a: string, b: string): number {
  return Math.max(1, Math.floor(Math.max([...a].length, [...b].length) / 3));
}

function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  // rows[i][j]: distance between the first i characters of x and the first j of y.
  const rows: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= x.length; i++) {
    const row = rows[i] as number[];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, at(i - 2, j - 2) + 1);
      row[j] = d;
    }
  }
  return at(x.length, y.length);
}
