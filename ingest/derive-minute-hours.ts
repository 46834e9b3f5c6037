/**
 * Derives the hourly values of hours whose minute data changed (ingest/minute-hour.ts has the rule), a batch of hours
 * per transaction: the hours' marks are taken, their minutes read, the results written — valid hours as derived
 * hourly readings unless the station reported its own, hours no longer valid removed — each hour's outcome recorded
 * in `minute_hour`, and the windows of changed hours marked pending, as ingest marks them. A crash anywhere rolls the
 * batch back with its marks.
 */
import { sql, type Kysely } from 'kysely';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';
import { ensurePartitions, type PartitionCache } from '../db/repositories/readings.repository.ts';
import {
  minutesOfHours,
  recordMinuteHours,
  removeDerivedReadings,
  reportedHours,
  takeMinuteHourMarks,
  writeDerivedReadings,
  type DerivedHourRow,
  type HourKey,
  type MinuteHourOutcome,
} from '../db/repositories/minute-readings.repository.ts';
import { markPending } from '../db/repositories/windows-pending.repository.ts';
import type { Database } from '../db/schema.ts';
import { HOUR_MS } from '../lib/time.ts';
import { publishedDigits } from '../standards/air-statistics.ts';
import { deriveHour, type MinuteValue } from './minute-hour.ts';
import type { TouchedSpan } from './touched-series.ts';

export interface DeriveDeps {
  readonly db: Kysely<Database>;
  readonly parameterIds: ParameterIds;
  readonly partitions: PartitionCache;
}

export interface DeriveResult {
  hours: number;
  derived: number;
  insufficient: number;
  station: number;
  /** Hourly readings written, changed or removed, by site code: what evaluation owes. */
  changed: Map<string, TouchedSpan[]>;
}

/** Derives every marked hour ended by `until`, `batchSize` hours per transaction. */
export async function deriveMinuteHours(deps: DeriveDeps, until: Date, batchSize = 1_000): Promise<DeriveResult> {
  const result: DeriveResult = { hours: 0, derived: 0, insufficient: 0, station: 0, changed: new Map() };
  const codes = new Map([...deps.parameterIds].map(([code, id]) => [id, code]));
  const changedKeys: HourKey[] = [];
  // Partitions are made before the data transactions, as for ingest: attaching one locks the parent table.
  const { rows: months } = await sql<{ month: string }>`
    select distinct to_char(hour_end at time zone 'UTC', 'YYYY-MM') as month from minute_hour_pending where hour_end <= ${until}`.execute(deps.db);
  await ensurePartitions(deps.db, months.map((m) => `${m.month}-01T00:00:00Z`), deps.partitions);
  for (;;) {
    const batch = await deps.db.transaction().execute(async (trx) => {
      const hours = await takeMinuteHourMarks(trx, until, batchSize);
      if (hours.length === 0) return null;
      const minutes = groupByHour(await minutesOfHours(trx, hours));
      const reported = new Set((await reportedHours(trx, hours)).map(keyOf));
      const outcomes: MinuteHourOutcome[] = [];
      const valid: DerivedHourRow[] = [];
      const invalid: HourKey[] = [];
      for (const hour of hours) {
        const of = minutes.get(keyOf(hour)) ?? { values: [], sourceId: null };
        const derived = deriveHour(of.values, publishedDigits(codes.get(hour.parameterId) ?? ''));
        const station = reported.has(keyOf(hour));
        outcomes.push({ ...hour, minuteRows: derived.minuteRows, validMinutes: derived.validMinutes, value: derived.value, flag: derived.flag, outcome: station ? 'station' : derived.valid ? 'derived' : 'insufficient' });
        if (station) continue;
        if (derived.value !== null) valid.push({ ...hour, value: derived.value, sourceId: of.sourceId });
        else invalid.push(hour);
      }
      const changed = [...(await writeDerivedReadings(trx, valid)), ...(await removeDerivedReadings(trx, invalid))];
      await recordMinuteHours(trx, outcomes);
      // The changed hours flow into the rolling windows and rules like any stored hourly reading.
      await markPending(trx, changed.map((h) => ({ siteId: h.siteId, parameterId: h.parameterId, from: new Date(h.hourEnd.getTime() - HOUR_MS), to: h.hourEnd })), true);
      return { outcomes, changed };
    });
    if (!batch) break;
    result.hours += batch.outcomes.length;
    for (const o of batch.outcomes) result[o.outcome === 'derived' ? 'derived' : o.outcome === 'station' ? 'station' : 'insufficient']++;
    changedKeys.push(...batch.changed);
  }
  result.changed = await spansBySite(deps.db, changedKeys, codes);
  return result;
}

const keyOf = (h: HourKey): string => `${h.siteId}|${h.parameterId}|${h.hourEnd.getTime()}`;

function groupByHour(rows: Awaited<ReturnType<typeof minutesOfHours>>): Map<string, { values: MinuteValue[]; sourceId: string | null }> {
  const out = new Map<string, { values: MinuteValue[]; sourceId: string | null }>();
  for (const r of rows) {
    const key = keyOf(r);
    let hour = out.get(key);
    if (!hour) out.set(key, (hour = { values: [], sourceId: null }));
    hour.values.push({ minutes: r.minutes, value: r.value, flag: r.flag });
    // The source of the hour's latest minute stands as the derived reading's source.
    hour.sourceId = r.sourceId ?? hour.sourceId;
  }
  return out;
}

/** Per site code and parameter: the span of changed hour ends, (first − 1 h, last]. */
async function spansBySite(db: Kysely<Database>, hours: readonly HourKey[], codes: Map<number, string>): Promise<Map<string, TouchedSpan[]>> {
  const out = new Map<string, TouchedSpan[]>();
  if (hours.length === 0) return out;
  const siteIds = [...new Set(hours.map((h) => h.siteId))];
  const sites = new Map((await db.selectFrom('site').select(['id', 'code']).where('id', 'in', siteIds).execute()).map((s) => [s.id, s.code]));
  const series = new Map<string, { site: string; parameter: string; first: number; last: number }>();
  for (const h of hours) {
    const key = `${h.siteId}|${h.parameterId}`;
    const t = h.hourEnd.getTime();
    const s = series.get(key);
    if (!s) series.set(key, { site: sites.get(h.siteId) ?? String(h.siteId), parameter: codes.get(h.parameterId) ?? String(h.parameterId), first: t, last: t });
    else [s.first, s.last] = [Math.min(s.first, t), Math.max(s.last, t)];
  }
  for (const s of series.values()) {
    const list = out.get(s.site) ?? [];
    list.push({ parameter: s.parameter, from: new Date(s.first - HOUR_MS).toISOString(), to: new Date(s.last).toISOString() });
    out.set(s.site, list);
  }
  return out;
}
