/**
 * Whether the data a rule judges is simulated or replayed demonstration data, so every alert says so in its
 * evidence (and so in its mail): from the sources that fed each changed series around the changed hours
 * (`source_series`), read once per evaluation.
 */
import { seriesOrigins } from '../db/repositories/source-series.repository.ts';
import { pushTo } from '../lib/collections.ts';
import { strongestOrigin, type DataOrigin } from '../lib/data-origin.ts';
import { DAY_MS } from '../lib/time.ts';
import type { EvaluationContext } from './evaluation-context.ts';

export interface ChangedOrigins {
  /** The origin of a site's data (any of its series). */
  site(site: string): DataOrigin | null;
  /** The origin of one series' data. */
  series(site: string, parameter: string): DataOrigin | null;
}

const cache = new WeakMap<EvaluationContext, Promise<ChangedOrigins>>();

export function originOf(context: EvaluationContext): Promise<ChangedOrigins> {
  let found = cache.get(context);
  if (!found) {
    found = readOrigins(context);
    cache.set(context, found);
  }
  return found;
}

async function readOrigins(context: EvaluationContext): Promise<ChangedOrigins> {
  const times = [...context.changes.values()].flat().flatMap((s) => [Date.parse(s.from), Date.parse(s.to)]);
  if (times.length === 0) return { site: () => null, series: () => null };
  // A day either side: the rolling windows judged reach back a day from the hours that changed.
  const span = { from: new Date(Math.min(...times) - DAY_MS), to: new Date(Math.max(...times) + DAY_MS) };
  const found = await seriesOrigins(context.db, [...context.siteIds.values()], span);
  const bySite = new Map<number, DataOrigin[]>();
  for (const [key, origin] of found) {
    const siteId = Number(key.split('|')[0]);
    pushTo(bySite, siteId, origin);
  }
  const idOf = (site: string) => context.siteIds.get(site);
  return {
    site: (site) => strongestOrigin(bySite.get(idOf(site) ?? -1) ?? []),
    series: (site, parameter) => found.get(`${idOf(site) ?? -1}|${context.parameterIds.get(parameter) ?? -1}`) ?? null,
  };
}
