/**
 * Schema errors as configuration problems: the key path, the value seen (never an environment value, which may hold
 * a credential) and what was expected, with "did you mean" for a misspelt key or option.
 */
import type { z } from 'zod';
import { formatPath, showValue, type ConfigProblem } from './config-error.ts';
import { didYouMean } from '../lib/near-miss.ts';

export function zodProblems(file: string, error: z.ZodError, raw: unknown, secret: boolean, schema: z.ZodType): ConfigProblem[] {
  return error.issues.flatMap((issue): ConfigProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      const known = objectKeysAt(schema, raw, issue.path);
      return issue.keys.map((key) => withHint({ file, path: formatPath([...issue.path, key]), seen: 'an unknown key', expected: 'no such key (check its spelling)' }, known && didYouMean(key, known)));
    }
    const seenValue = valueAt(raw, issue.path);
    // Environment values may hold credentials; show only whether something was there.
    const seen = secret ? (seenValue === undefined ? 'nothing' : 'a value') : showValue(seenValue);
    const problem: ConfigProblem = { file, path: formatPath(issue.path), seen, expected: expectation(issue.message) };
    const options = issue.code === 'invalid_value' ? issue.values : issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options) ? (issue.options as unknown[]) : null;
    if (!options || !options.every((o): o is string => typeof o === 'string')) return [problem];
    // A schema's own words for its options stay; zod's default message becomes the plain list.
    if (/^Invalid (option|input|discriminator)/i.test(issue.message)) problem.expected = `one of ${options.map((o) => JSON.stringify(o)).join('|')}`;
    return [withHint(problem, !secret && typeof seenValue === 'string' ? didYouMean(seenValue, options) : undefined)];
  });
}

function withHint(problem: ConfigProblem, hint: string | undefined): ConfigProblem {
  return hint ? { ...problem, hint } : problem;
}

function expectation(message: string): string {
  return message
    .replace(/^Invalid (input|option|string|value):\s*/i, '')
    .replace(/^expected /, '')
    .replace(/, received .*$/, '');
}

export function valueAt(raw: unknown, keys: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const key of keys) {
    if (!isRecord(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Zod's schema internals, as far as finding the keys an object allows needs them. */
interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  element?: { _zod: { def: SchemaDef } };
  innerType?: { _zod: { def: SchemaDef } };
  valueType?: { _zod: { def: SchemaDef } };
  options?: { _zod: { def: SchemaDef } }[];
  discriminator?: string;
  values?: unknown[];
}

/** The keys the object schema at `path` allows (following the value to pick a discriminated union's option). */
function objectKeysAt(schema: z.ZodType, raw: unknown, path: readonly PropertyKey[]): string[] | undefined {
  let def: SchemaDef | undefined = (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
  let value = raw;
  const settle = () => {
    for (;;) {
      if (!def) return;
      if (def.innerType) def = def.innerType._zod.def;
      else if (def.type === 'union' && def.discriminator && def.options) {
        const tag = valueAt(value, [def.discriminator]);
        def = def.options.map((o) => o._zod.def).find((o) => o.shape?.[def?.discriminator ?? '']?._zod.def.values?.includes(tag));
      } else return;
    }
  };
  for (const key of path) {
    settle();
    if (!def) return undefined;
    if (def.type === 'object') def = def.shape?.[String(key)]?._zod.def;
    else if (def.type === 'array') def = def.element?._zod.def;
    else if (def.type === 'record') def = def.valueType?._zod.def;
    else return undefined;
    value = valueAt(value, [key]);
  }
  settle();
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}
