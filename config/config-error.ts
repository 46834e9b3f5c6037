/** One problem found in the configuration: where it is, what was there and what was expected. */
export interface ConfigProblem {
  /** The file (relative to the working folder) or `environment`. */
  file: string;
  /** Key path such as `sources[1].schedule`; empty for the whole file. */
  path: string;
  /** The value seen, as shown to the operator (secrets are never shown). */
  seen: string;
  expected: string;
  /** For a near miss: `did you mean "…"?`. */
  hint?: string;
}

/** Start-up fails with this error; its message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigError';
  }
}

export function formatProblems(problems: readonly ConfigProblem[]): string {
  const head = `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):`;
  const lines = problems.map((p) => `  ${p.file}${p.path ? `: ${p.path}` : ''}: got ${p.seen}, expected ${p.expected}${p.hint ? `; ${p.hint}` : ''}`);
  return [head, ...lines].join('\n');
}

/** Renders a path of keys and indexes as `a.b[2].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** Shows a value briefly: strings quoted, objects abbreviated, `nothing` when absent. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? value.slice(0, 77) + '...' : value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value !== null && typeof value === 'object') return 'an object';
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? typeof value;
}
