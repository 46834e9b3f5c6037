/** What every rule's evaluation sees: the changed series, their refreshed windows and the configuration. */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import type { RuleScope } from '../config/schema.ts';
import type { RefreshedSeries } from '../db/repositories/aggregates.repository.ts';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';
import type { Database } from '../db/schema.ts';
import type { TouchedSpan } from '../ingest/touched-series.ts';
import type { HourSpan } from '../standards/aggregate-windows.ts';

export interface EvaluationContext {
  db: Kysely<Database>;
  config: AppConfig;
  now: Date;
  /** Site ids of the changed sites, by code. */
  siteIds: ReadonlyMap<string, number>;
  parameterIds: ParameterIds;
  /** What was stored, by site code. */
  changes: ReadonlyMap<string, readonly TouchedSpan[]>;
  /** Refreshed windows, by `site|parameter`. */
  refreshed: ReadonlyMap<string, RefreshedSeries>;
}

/** Configured sites by code, once per configuration: a scope is checked for every changed site of every rule. */
const sitesByCode = new WeakMap<AppConfig, Map<string, AppConfig['sites'][number]>>();

function siteOf(config: AppConfig, code: string): AppConfig['sites'][number] | undefined {
  let byCode = sitesByCode.get(config);
  if (!byCode) {
    byCode = new Map(config.sites.map((s) => [s.code, s]));
    sitesByCode.set(config, byCode);
  }
  return byCode.get(code);
}

/** Changed sites (known to the database) that a rule's scope covers. */
export function changedSitesInScope(context: EvaluationContext, scope: RuleScope): string[] {
  return [...context.changes.keys()].filter((code) => {
    if (!context.siteIds.has(code)) return false;
    if (scope.sites?.includes(code)) return true;
    const site = siteOf(context.config, code);
    return site !== undefined && ((scope.siteKinds?.includes(site.kind) ?? false) || (scope.areas?.includes(site.area) ?? false));
  });
}

/** The spans of hours stored for one series, in ms. */
export function changedSpans(context: EvaluationContext, site: string, parameter: string): HourSpan[] {
  return (context.changes.get(site) ?? []).filter((s) => s.parameter === parameter).map((s) => ({ from: Date.parse(s.from), to: Date.parse(s.to) }));
}

export const withinSpans = (spans: readonly HourSpan[], t: number): boolean => spans.some((s) => s.from < t && t <= s.to);

/** The smallest (from, to] holding all spans. */
export function coveringSpan(spans: readonly HourSpan[]): HourSpan | null {
  if (spans.length === 0) return null;
  return { from: Math.min(...spans.map((s) => s.from)), to: Math.max(...spans.map((s) => s.to)) };
}

/** Whether a time lies behind the newest hour a series had before this change (its data arrived late). */
export function behindWatermark(context: EvaluationContext, site: string, parameter: string, at: number): boolean {
  const previous = context.refreshed.get(`${site}|${parameter}`)?.previousWatermark ?? null;
  return previous !== null && at < previous;
}
