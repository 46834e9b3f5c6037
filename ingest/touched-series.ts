/**
 * What a stored batch touched, per site and parameter: the span of its hourly values. Evaluation refreshes the
 * rolling windows of exactly these series and runs the rules at these times.
 */
import { HOUR_MS } from '../lib/time.ts';

export interface TouchedSpan {
  parameter: string;
  /** Hour ends in (from, to], ISO instants; `to` is the newest value of the parameter in the batch. */
  from: string;
  to: string;
}

/** The first and last hour end of one series' hourly rows (ISO instants), with one of its rows (for the series' identity). */
export interface HourSpanOf<R> {
  row: R;
  first: string;
  last: string;
}

/**
 * Per key (a series), the first and last hour end of the hourly rows among `rows`; other periods are skipped. Adds to
 * `into` when given, so that spans of many batches merge.
 */
export function hourSpans<R extends { period: string; observedAt: string }, K>(rows: Iterable<R>, keyOf: (r: R) => K, into = new Map<K, HourSpanOf<R>>()): Map<K, HourSpanOf<R>> {
  for (const r of rows) {
    if (r.period !== 'hour') continue;
    const t = r.observedAt;
    const key = keyOf(r);
    const span = into.get(key);
    if (!span) into.set(key, { row: r, first: t, last: t });
    else if (isBefore(t, span.first)) span.first = t;
    else if (isBefore(span.last, t)) span.last = t;
  }
  return into;
}

/**
 * Whether instant `a` lies before `b`. This runs once per stored reading: instants as toISOString() writes them (all
 * of envmon's) compare as text; any other spelling is parsed.
 */
function isBefore(a: string, b: string): boolean {
  return a.length === 24 && b.length === 24 && a.endsWith('Z') && b.endsWith('Z') ? a < b : Date.parse(a) < Date.parse(b);
}

type Reading = { site: string; parameter: string; period: string; observedAt: string };

/** Keys of series as `site|parameter`, each built once rather than once per reading. */
function seriesKeys(): (r: Reading) => string {
  const bySite = new Map<string, Map<string, string>>();
  return (r) => {
    let ofSite = bySite.get(r.site);
    if (!ofSite) bySite.set(r.site, (ofSite = new Map<string, string>()));
    let key = ofSite.get(r.parameter);
    if (key === undefined) ofSite.set(r.parameter, (key = `${r.site}|${r.parameter}`));
    return key;
  };
}

/** Spans by site: hour ends in (first − 1 h, last] of each parameter. */
function bySite(spans: Iterable<HourSpanOf<Reading>>): Map<string, TouchedSpan[]> {
  const out = new Map<string, TouchedSpan[]>();
  for (const { row, first, last } of spans) {
    const list = out.get(row.site) ?? [];
    list.push({ parameter: row.parameter, from: new Date(Date.parse(first) - HOUR_MS).toISOString(), to: new Date(Date.parse(last)).toISOString() });
    out.set(row.site, list);
  }
  return out;
}

export function touchedSeries(readings: readonly Reading[]): Map<string, TouchedSpan[]> {
  return bySite(hourSpans(readings, seriesKeys()).values());
}

/** Spans of many batches merged per site and parameter (from the earliest to the newest hour). */
export class TouchedSpans {
  private readonly bySeries = new Map<string, HourSpanOf<Reading>>();
  private readonly keyOf = seriesKeys();

  add(readings: readonly Reading[]): void {
    hourSpans(readings, this.keyOf, this.bySeries);
  }

  get size(): number {
    return this.bySeries.size;
  }

  spans(): Map<string, TouchedSpan[]> {
    return bySite(this.bySeries.values());
  }
}
