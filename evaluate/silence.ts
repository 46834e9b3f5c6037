/**
 * What a source must keep delivering, and which parts of it are silent.
 *
 * Expected series: every series the source ever delivered (`source_series`, however long ago — a source dead for
 * weeks stays expected), plus what its configuration names and it never delivered: a simulator's `sites[].levels`
 * (site + parameter), an HJ 212 listener's `stations[].site` and OpenAQ's `sensors[].site` (a site, any parameter);
 * any other source is expected to deliver as a whole. Of a source that names its sites, only what it still names.
 *
 * Silent parts, at the widest level that is silent: the whole source when every expected series is; otherwise each
 * site all of whose series are; otherwise each silent series (site + parameter). A series that never delivered
 * counts as silent, with no latest time.
 */
import type { SourceConfig } from '../config/schema.ts';
import { pushTo } from '../lib/collections.ts';

/** Something a source must deliver: a series, a site (any parameter), or anything at all (both null). */
export interface Expectation {
  site: string | null;
  parameter: string | null;
}

export function configuredExpectations(source: SourceConfig | undefined): Expectation[] {
  const sites = (codes: readonly string[]) => [...new Set(codes)].map((site) => ({ site, parameter: null }));
  switch (source?.kind) {
    case 'water-simulator':
      return source.sites.flatMap((s) => Object.keys(s.levels).map((parameter) => ({ site: s.site, parameter })));
    case 'hj212-listener':
      return sites(source.stations.map((s) => s.site));
    case 'openaq':
      return sites(source.sensors.map((s) => s.site));
    default:
      return [{ site: null, parameter: null }];
  }
}

/** One expected series (or site, or the source as a whole) and the newest data it delivered, null if never. */
export interface ExpectedSeries {
  site: string | null;
  parameter: string | null;
  latest: Date | null;
}

/**
 * What was delivered, plus what is expected and was never delivered. A source whose configuration names its sites
 * (or series) expects only those: what it delivered for a site its configuration dropped — a station removed, a
 * parameter no longer simulated — is no longer expected (its alert resolves as such). A source expected as a whole
 * keeps expecting everything it ever delivered.
 */
export function expectedSeries(expectations: readonly Expectation[], delivered: readonly { site: string; parameter: string; latest: Date }[]): ExpectedSeries[] {
  const namesItsSites = expectations.length > 0 && expectations.every((e) => e.site !== null);
  const configured = (d: { site: string; parameter: string }) => expectations.some((e) => e.site === d.site && (e.parameter === null || e.parameter === d.parameter));
  const out: ExpectedSeries[] = delivered.filter((d) => !namesItsSites || configured(d)).map((d) => ({ site: d.site, parameter: d.parameter, latest: d.latest }));
  for (const e of expectations) {
    const met =
      e.site === null ? delivered.length > 0 : e.parameter === null ? delivered.some((d) => d.site === e.site) : delivered.some((d) => d.site === e.site && d.parameter === e.parameter);
    if (!met) out.push({ site: e.site, parameter: e.parameter, latest: null });
  }
  return out;
}

export interface Silence {
  /** `source`, `site:CODE` or `site:CODE|parameter:P`: appended to the rule and source to form the dedup key. */
  scope: string;
  level: 'source' | 'site' | 'parameter';
  site?: string;
  parameter?: string;
  /** The newest data of what is silent; null when none of it ever delivered. */
  latest: Date | null;
  series: number;
}

export function silentParts(series: readonly ExpectedSeries[], now: Date, afterMinutes: number): Silence[] {
  const cutoff = now.getTime() - afterMinutes * 60_000;
  const silent = (s: ExpectedSeries) => s.latest === null || s.latest.getTime() <= cutoff;
  if (series.length === 0) return [];
  if (series.every(silent)) return [{ scope: 'source', level: 'source', latest: newest(series), series: series.length }];
  const bySite = new Map<string, ExpectedSeries[]>();
  // Entries without a site exist only for a source that delivered nothing at all, caught above.
  for (const s of series) if (s.site !== null) pushTo(bySite, s.site, s);
  const parts: Silence[] = [];
  for (const [site, list] of bySite) {
    if (list.every(silent)) parts.push({ scope: `site:${site}`, level: 'site', site, latest: newest(list), series: list.length });
    else for (const s of list.filter(silent)) if (s.parameter !== null) parts.push({ scope: `site:${site}|parameter:${s.parameter}`, level: 'parameter', site, parameter: s.parameter, latest: s.latest, series: 1 });
  }
  return parts;
}

/** Which of the expected series an alert at a level covers. */
export function withinScope(series: readonly ExpectedSeries[], scope: { level: string; site?: string | null; parameter?: string | null }): ExpectedSeries[] {
  if (scope.level === 'source') return [...series];
  return series.filter((s) => s.site === scope.site && (scope.level === 'site' || s.parameter === scope.parameter));
}

export function newest(series: readonly ExpectedSeries[]): Date | null {
  const times = series.flatMap((s) => (s.latest ? [s.latest.getTime()] : []));
  return times.length === 0 ? null : new Date(Math.max(...times));
}
