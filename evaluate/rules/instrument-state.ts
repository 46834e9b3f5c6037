/**
 * Instrument-state rules: a parameter whose samples carry a non-normal HJ 212 data flag (M maintenance, C
 * calibration, D fault, F stopped, B communication …) for `afterHours` of elapsed time. The time runs over
 * consecutive flagged samples — no sample without one of the flags between them — from the start of the first
 * flagged sample's hour to the end of the latest: three flagged hourly values are 3 hours, and a river section
 * sampled every 4 hours flagged at 04:00, 08:00 and 12:00 has been flagged 9 hours. Missing samples do not break a
 * run (a silent station is the no-data rule's business); a sample without one of the flags clears it.
 */
import type { InstrumentStateRuleConfig } from '../../config/schema.ts';
import { flaggedRunBefore } from '../../db/repositories/flag-runs.repository.ts';
import { hourlyReadings } from '../../db/repositories/series.repository.ts';
import { HOUR_MS } from '../../lib/time.ts';
import type { RuleObservation } from '../apply-observations.ts';
import { originOf } from '../data-origins.ts';
import { behindWatermark, changedSitesInScope, changedSpans, coveringSpan, withinSpans, type EvaluationContext } from '../evaluation-context.ts';
import { pushTo } from '../../lib/collections.ts';

/** A run of consecutive flagged samples: how many, and since when (the start of the first one's hour), ms. */
export interface FlaggedRun {
  samples: number;
  since: number;
}

/**
 * For each sample: the run of flagged samples ending there, or null for a sample without one of the flags.
 * `before` is a run already going when the first of `readings` was taken.
 */
export function flaggedRuns(readings: readonly { at: number; flag: string }[], flags: readonly string[], before: FlaggedRun | null = null): Map<number, FlaggedRun | null> {
  const runs = new Map<number, FlaggedRun | null>();
  const byTime = new Map(readings.map((r) => [r.at, r.flag]));
  let run = before;
  for (const at of [...byTime.keys()].sort((a, b) => a - b)) {
    run = flags.includes(byTime.get(at) as string) ? { samples: (run?.samples ?? 0) + 1, since: run?.since ?? at - HOUR_MS } : null;
    runs.set(at, run);
  }
  return runs;
}

export async function instrumentStateObservations(context: EvaluationContext, rule: InstrumentStateRuleConfig): Promise<RuleObservation[]> {
  // One entry per series, however many separate spans of it changed (changedSpans gathers them all).
  const series = changedSitesInScope(context, rule.scope).flatMap((site) =>
    [...new Set((context.changes.get(site) ?? []).map((c) => c.parameter))]
      .filter((parameter) => (rule.parameters ? rule.parameters.includes(parameter) : true) && context.parameterIds.has(parameter))
      .map((parameter) => ({ site, parameter, siteId: context.siteIds.get(site) as number, parameterId: context.parameterIds.get(parameter) as number, spans: changedSpans(context, site, parameter) })),
  );
  const all = coveringSpan(series.flatMap((s) => s.spans));
  if (!all) return [];
  // One read for every series, reaching back `afterHours` before the change; a run already going at the start of
  // the read is traced back to where it began.
  const readFrom = new Date(all.from - rule.afterHours * HOUR_MS);
  const rows = await hourlyReadings(context.db, series.map((s) => s.siteId), series.map((s) => s.parameterId), readFrom, new Date(all.to));
  const bySeries = new Map<string, { at: number; flag: string }[]>();
  for (const r of rows) pushTo(bySeries, `${r.siteId}|${r.parameterId}`, { at: r.observedAt.getTime(), flag: r.flag });
  const origins = await originOf(context);
  const observations: RuleObservation[] = [];
  for (const { site, parameter, siteId, parameterId, spans } of series) {
    const readings = bySeries.get(`${siteId}|${parameterId}`) ?? [];
    const flags = new Map(readings.map((r) => [r.at, r.flag]));
    const first = readings[0];
    const earlier = first && (rule.flags as readonly string[]).includes(first.flag) ? await flaggedRunBefore(context.db, siteId, parameterId, rule.flags, readFrom) : null;
    const before = earlier ? { samples: earlier.samples, since: earlier.first.getTime() - HOUR_MS } : null;
    for (const [at, run] of flaggedRuns(readings, rule.flags, before)) {
      if (!withinSpans(spans, at)) continue;
      const elapsed = run ? at - run.since : 0;
      const breaching = run !== null && elapsed >= rule.afterHours * HOUR_MS;
      observations.push({
        dedupKey: `${rule.id}|${site}|${parameter}`,
        behind: behindWatermark(context, site, parameter, at),
        at,
        siteId,
        parameterId,
        subject: { rule: rule.id, site, parameter },
        breaching,
        cleared: run === null,
        evidence: {
          kind: 'instrument_state',
          rule: rule.id,
          site,
          origin: origins.series(site, parameter),
          parameter,
          flag: flags.get(at),
          flaggedHours: elapsed / HOUR_MS,
          samples: run?.samples ?? 0,
          since: run ? new Date(run.since).toISOString() : null,
          afterHours: rule.afterHours,
          standard: 'HJ 212-2017 数据标记',
        },
      });
    }
  }
  return observations;
}
