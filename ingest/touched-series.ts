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

export function touchedSeries(readings: readonly { site: string; parameter: string; period: string; observedAt: string }[]): Map<string, TouchedSpan[]> {
  const spans = new Map<string, Map<string, { first: number; last: number }>>();
  for (const r of readings) {
    if (r.period !== 'hour') continue;
    const t = Date.parse(r.observedAt);
    const bySite = spans.get(r.site) ?? new Map<string, { first: number; last: number }>();
    spans.set(r.site, bySite);
    const span = bySite.get(r.parameter);
    if (span) {
      if (t < span.first) span.first = t;
      if (t > span.last) span.last = t;
    } else bySite.set(r.parameter, { first: t, last: t });
  }
  return new Map(
    [...spans].map(([site, bySite]) => [site, [...bySite].map(([parameter, s]) => ({ parameter, from: new Date(s.first - HOUR_MS).toISOString(), to: new Date(s.last).toISOString() }))]),
  );
}

/** Spans of many batches merged per site and parameter (from the earliest to the newest hour). */
export class TouchedSpans {
  private readonly bySeries = new Map<string, { site: string; parameter: string; from: number; to: number }>();

  add(readings: readonly { site: string; parameter: string; period: string; observedAt: string }[]): void {
    for (const r of readings) {
      if (r.period !== 'hour') continue;
      const key = `${r.site}|${r.parameter}`;
      const t = Date.parse(r.observedAt);
      const known = this.bySeries.get(key);
      if (known) {
        if (t - HOUR_MS < known.from) known.from = t - HOUR_MS;
        if (t > known.to) known.to = t;
      } else this.bySeries.set(key, { site: r.site, parameter: r.parameter, from: t - HOUR_MS, to: t });
    }
  }

  get size(): number {
    return this.bySeries.size;
  }

  spans(): Map<string, TouchedSpan[]> {
    const out = new Map<string, TouchedSpan[]>();
    for (const s of this.bySeries.values()) {
      const list = out.get(s.site) ?? [];
      list.push({ parameter: s.parameter, from: new Date(s.from).toISOString(), to: new Date(s.to).toISOString() });
      out.set(s.site, list);
    }
    return out;
  }
}
