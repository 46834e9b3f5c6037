/**
 * Which parts of a source are silent, at the widest level that is: the whole source when every series it fed is
 * silent; otherwise each site all of whose series are silent; otherwise each silent series (site + parameter).
 */
import type { SeriesActivity } from '../db/repositories/source-activity.repository.ts';
import { pushTo } from '../lib/collections.ts';

export interface Silence {
  /** `source`, `site:CODE` or `site:CODE|parameter:P`: appended to the rule and source to form the dedup key. */
  scope: string;
  level: 'source' | 'site' | 'parameter';
  site?: string;
  parameter?: string;
  /** The newest data of what is silent. */
  latest: Date;
  series: number;
}

export function silentParts(activity: readonly SeriesActivity[], now: Date, afterMinutes: number): Silence[] {
  const cutoff = now.getTime() - afterMinutes * 60_000;
  const silent = (a: SeriesActivity) => a.latest.getTime() <= cutoff;
  const newest = (list: readonly SeriesActivity[]) => new Date(Math.max(...list.map((a) => a.latest.getTime())));
  if (activity.length === 0) return [];
  if (activity.every(silent)) return [{ scope: 'source', level: 'source', latest: newest(activity), series: activity.length }];
  const bySite = new Map<string, SeriesActivity[]>();
  for (const a of activity) pushTo(bySite, a.site, a);
  const parts: Silence[] = [];
  for (const [site, list] of bySite) {
    if (list.every(silent)) parts.push({ scope: `site:${site}`, level: 'site', site, latest: newest(list), series: list.length });
    else for (const a of list.filter(silent)) parts.push({ scope: `site:${site}|parameter:${a.parameter}`, level: 'parameter', site, parameter: a.parameter, latest: a.latest, series: 1 });
  }
  return parts;
}
