/**
 * Path expressions for declarative JSON mappings: dot-separated names, `[n]` for an index and `[*]` for every
 * element, with an optional leading `$.`; e.g. `$.data[*]`, `station.code`, `measurements[*].value`.
 * `select` returns every value the path reaches (none when a step is missing).
 */
export function select(value: unknown, path: string): unknown[] {
  let current: unknown[] = [value];
  for (const step of parsePath(path)) {
    const next: unknown[] = [];
    for (const v of current) {
      if (step === ALL) {
        if (Array.isArray(v)) next.push(...(v as unknown[]));
      } else if (typeof step === 'number') {
        if (Array.isArray(v) && step < v.length) next.push((v as unknown[])[step]);
      } else if (typeof step === 'string' && v !== null && typeof v === 'object' && !Array.isArray(v) && step in v) {
        next.push((v as Record<string, unknown>)[step]);
      }
    }
    current = next;
  }
  return current;
}

/** The first value a path reaches, or undefined. */
export function selectOne(value: unknown, path: string): unknown {
  return select(value, path)[0];
}

/** A path step: a property name, an index, or every element (`ALL`). */
export type PathStep = string | number | typeof ALL;
export const ALL = Symbol('every element');

export function parsePath(path: string): PathStep[] {
  const body = path.trim().replace(/^\$\.?/, '');
  if (body === '') return [];
  const steps: PathStep[] = [];
  for (const part of body.split('.')) {
    const m = /^([^[\]]*)((?:\[(?:\d+|\*)\])*)$/.exec(part);
    if (!m) throw new Error(`invalid path step "${part}" in "${path}"`);
    if (m[1]) steps.push(m[1]);
    for (const index of (m[2] ?? '').matchAll(/\[(\d+|\*)\]/g)) steps.push(index[1] === '*' ? ALL : Number(index[1]));
  }
  return steps;
}
