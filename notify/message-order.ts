/**
 * The order of a grouped message: what fires now first, then what late data showed, then what has recovered — so
 * a subject read on a phone names the live alert a duty officer must act on, never a recovery or a back-filled
 * exceedance that is already over.
 */
import { compareDecimal } from '../lib/decimal.ts';
import type { Severity } from './routing.ts';

/** What a grouped message says an item is: firing now, found in late (back-filled) data, or recovered. */
export type ItemStatus = 'live' | 'late' | 'resolved';

/** The facts of an item the order needs. */
export interface OrderFacts {
  alertId: number | null;
  kind: 'alert' | 'resolution' | 'reminder';
  severity: Severity;
  /** Evidence `late === true`: its data arrived hours after their time (or were back-filled). */
  late: boolean;
  /** 超标倍数 as a decimal string, when the item is a value beyond its limit. */
  multiple: string | null;
  /** The time of the item's data (ISO), when it has one. */
  time: string | null;
}

const severityRank: Record<Severity, number> = { critical: 2, warning: 1, info: 0 };

/**
 * A resolution is recovered, and so is an alert whose resolution is in the same message (it fired and recovered
 * within the group window: it is not firing now). An alert on late data counts apart as late — even one still
 * firing, because its data are hours old and the subject must lead with what is happening now. A reminder is about
 * the alert as it stands now, so it is live whatever its data's label.
 */
export function statusOf(facts: Pick<OrderFacts, 'kind' | 'late'>, resolvedInMessage = false): ItemStatus {
  if (facts.kind === 'resolution' || resolvedInMessage) return 'resolved';
  return facts.late && facts.kind === 'alert' ? 'late' : 'live';
}

/**
 * Worst first: critical before warning before info; among equal severity the largest exceedance multiple first
 * (HJ 663-2013 §5.3 makes multiples of different parameters comparable: both are (C − S) / S), items without a
 * multiple (a water class, no data, a value held by hysteresis) after those with one; then the most recent data
 * first, because a duty officer acts on the newest state. Stable: equal items keep their outbox order.
 */
export function compareWorstFirst(a: OrderFacts, b: OrderFacts): number {
  const bySeverity = severityRank[b.severity] - severityRank[a.severity];
  if (bySeverity !== 0) return bySeverity;
  if (a.multiple !== null && b.multiple !== null) {
    const byMultiple = compareDecimal(b.multiple, a.multiple);
    if (byMultiple !== 0) return byMultiple;
  } else if (a.multiple !== null || b.multiple !== null) {
    return a.multiple !== null ? -1 : 1;
  }
  const at = timeOf(a.time);
  const bt = timeOf(b.time);
  return at === bt ? 0 : bt > at ? 1 : -1;
}

const timeOf = (time: string | null): number => {
  const t = time === null ? Number.NaN : Date.parse(time);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
};

/** Items split by status, each part worst first; `statusOf` tells the status of one of the items. */
export function orderForMessage<T>(items: readonly T[], facts: (item: T) => OrderFacts): { parts: Record<ItemStatus, T[]>; statusOf: (item: T) => ItemStatus } {
  const resolved = new Set(items.map(facts).filter((f) => f.kind === 'resolution' && f.alertId !== null).map((f) => f.alertId));
  const status = (item: T) => {
    const f = facts(item);
    return statusOf(f, f.alertId !== null && resolved.has(f.alertId));
  };
  const parts: Record<ItemStatus, T[]> = { live: [], late: [], resolved: [] };
  for (const item of items) parts[status(item)].push(item);
  for (const part of Object.values(parts)) part.sort((a, b) => compareWorstFirst(facts(a), facts(b)));
  return { parts, statusOf: status };
}

/** How many alerts a part speaks of: an alert's firing and its recovery in one message are one alert. */
export function alertCount(facts: readonly OrderFacts[]): number {
  return new Set(facts.map((f, i) => f.alertId ?? `item ${i}`)).size;
}
