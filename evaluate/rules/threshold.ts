/**
 * Threshold rules: the hourly value, an 8- or 24-hour moving mean or the natural-day value of one parameter
 * against a limit — a number, or the GB 3095 limit in force at the window's time. Only valid windows (GB 3095
 * Table 4 minimum data) are judged. Values and limits are compared as exact decimals. Each value carries the
 * series' expected spacing, so persistence counts consecutive values only (evaluate/series-spacing.ts).
 */
import type { ThresholdRuleConfig } from '../../config/schema.ts';
import { aggregatesOf } from '../../db/repositories/aggregates.repository.ts';
import { hourlyReadings } from '../../db/repositories/series.repository.ts';
import { gb3095Limit } from '../../standards/air-limits.ts';
import { pushTo } from '../../lib/collections.ts';
import { decimalOfNumber } from '../../lib/decimal-number.ts';
import { thresholdObservation } from '../alert-state.ts';
import type { RuleObservation } from '../apply-observations.ts';
import { originOf } from '../data-origins.ts';
import { behindWatermark, changedSitesInScope, changedSpans, coveringSpan, withinSpans, type EvaluationContext } from '../evaluation-context.ts';
import { expectedSpacing, SPACING_LOOKBACK_MS, windowSpacing } from '../series-spacing.ts';

interface WindowValue {
  site: string;
  siteId: number;
  at: number;
  value: string;
  validCount: number;
  /** The series' expected spacing between values, ms. */
  spacingMs?: number | undefined;
}

export async function thresholdObservations(context: EvaluationContext, rule: ThresholdRuleConfig): Promise<RuleObservation[]> {
  const parameterId = context.parameterIds.get(rule.parameter);
  if (parameterId === undefined) return [];
  const sites = changedSitesInScope(context, rule.scope).filter((site) => changedSpans(context, site, rule.parameter).length > 0);
  if (sites.length === 0) return [];
  // The sampling interval matters only to persistence: read the week before the values for it only then.
  const values = rule.window === '1h' ? await hourValues(context, rule.parameter, parameterId, sites, rule.forEvaluations > 1) : await windowValues(context, rule.window, rule.parameter, parameterId, sites);
  const origins = await originOf(context);
  const clearAt = rule.clearAt === undefined ? {} : { clearAt: decimalOfNumber(rule.clearAt) };
  const observations: RuleObservation[] = [];
  for (const v of values) {
    const resolved = typeof rule.limit === 'number' ? { limit: rule.limit, clause: rule.limitSource ?? '', edition: null } : gb3095Limit(rule.parameter, rule.window, rule.limit.grade, new Date(v.at));
    if (!resolved) continue;
    observations.push({
      ...thresholdObservation({ direction: rule.direction, limit: decimalOfNumber(resolved.limit), ...clearAt }, v.value),
      spacingMs: v.spacingMs,
      dedupKey: `${rule.id}|${v.site}|${rule.parameter}`,
      behind: behindWatermark(context, v.site, rule.parameter, v.at),
      at: v.at,
      siteId: v.siteId,
      parameterId,
      subject: { rule: rule.id, site: v.site, parameter: rule.parameter },
      evidence: {
        kind: 'threshold',
        rule: rule.id,
        site: v.site,
        origin: origins.series(v.site, rule.parameter),
        parameter: rule.parameter,
        value: v.value,
        window: rule.window,
        validCount: v.validCount,
        direction: rule.direction,
        limit: resolved.limit,
        // The clear level, so a message can tell a value still over the limit from one held by hysteresis.
        ...clearAt,
        limitSource: resolved.clause,
        ...(resolved.edition ? { standard: resolved.edition } : {}),
      },
    });
  }
  return observations;
}

async function hourValues(context: EvaluationContext, parameter: string, parameterId: number, sites: readonly string[], withSpacing: boolean): Promise<WindowValue[]> {
  const spans = new Map(sites.map((s) => [s, changedSpans(context, s, parameter)]));
  const all = coveringSpan([...spans.values()].flat());
  if (!all) return [];
  const ids = sites.map((s) => context.siteIds.get(s) as number);
  const codes = new Map(sites.map((s) => [context.siteIds.get(s) as number, s]));
  const rows = await hourlyReadings(context.db, ids, [parameterId], new Date(all.from - (withSpacing ? SPACING_LOOKBACK_MS : 0)), new Date(all.to));
  // Every sample counts for the sampling interval, whatever its flag: a flagged value is a missing value, not a
  // longer interval.
  const times = new Map<number, number[]>();
  for (const r of rows) pushTo(times, r.siteId, r.observedAt.getTime());
  const spacing = new Map([...times].map(([siteId, list]) => [siteId, withSpacing ? expectedSpacing(list) : undefined]));
  return rows.flatMap((r) => {
    const site = codes.get(r.siteId) as string;
    return r.flag === 'N' && withinSpans(spans.get(site) ?? [], r.observedAt.getTime()) ? [{ site, siteId: r.siteId, at: r.observedAt.getTime(), value: r.value, validCount: 1, spacingMs: spacing.get(r.siteId) }] : [];
  });
}

async function windowValues(context: EvaluationContext, kind: '8h' | '24h' | 'day', parameter: string, parameterId: number, sites: readonly string[]): Promise<WindowValue[]> {
  // The windows the refresh just recomputed: moving windows by their end-hour ranges, days by their ends.
  const ends = new Map<string, (t: number) => boolean>();
  let first = Infinity;
  let last = -Infinity;
  for (const site of sites) {
    const windows = context.refreshed.get(`${site}|${parameter}`)?.windows;
    if (!windows) continue;
    if (kind === 'day') {
      const days = new Set(windows.days);
      ends.set(site, (t) => days.has(t));
      for (const d of windows.days) [first, last] = [Math.min(first, d), Math.max(last, d)];
    } else {
      ends.set(site, (t) => windows.moving.some(([a, b]) => a <= t && t <= b));
      for (const [a, b] of windows.moving) [first, last] = [Math.min(first, a), Math.max(last, b)];
    }
  }
  if (ends.size === 0 || first > last) return [];
  const ids = [...ends.keys()].map((s) => context.siteIds.get(s) as number);
  const codes = new Map([...ends.keys()].map((s) => [context.siteIds.get(s) as number, s]));
  // The refresh has just advanced these series' watermarks, which set what is stored and what is computed.
  const watermarks = [...ends.keys()].flatMap((site) => {
    const r = context.refreshed.get(`${site}|${parameter}`);
    return r ? [{ siteId: r.siteId, parameterId: r.parameterId, parameter: r.parameter, watermark: r.watermark }] : [];
  });
  const rows = await aggregatesOf(context.db, kind, ids, [parameterId], new Date(first), new Date(last), watermarks);
  return rows.flatMap((r) => {
    const site = codes.get(r.siteId) as string;
    return r.value !== null && (ends.get(site)?.(r.windowEnd.getTime()) ?? false) ? [{ site, siteId: r.siteId, at: r.windowEnd.getTime(), value: r.value, validCount: r.validCount, spacingMs: windowSpacing(kind) }] : [];
  });
}
