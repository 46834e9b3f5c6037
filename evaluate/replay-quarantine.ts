/**
 * Replays quarantined input once its cause is fixed (a site registered, a unit or range corrected): each item's
 * reading goes through normalization and storage again. An item that still fails stays pending with the new
 * reason; one that passes is marked replayed. Input that could not be read at all (a malformed row, a bad
 * checksum) holds no reading to replay: it stays pending, for the corrected file to be imported. What the stored
 * readings owe — their windows and the rules, late data judged at its own times — is paid before returning, as an
 * import does (evaluate/finish-pending.ts).
 */
import { sql } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import type { QuarantineItem } from '../db/schema.ts';
import type { AveragingPeriod, RawReading } from '../sources/source-adapter.ts';
import { normalizeRecord } from '../ingest/normalize.ts';
import { finishPending } from './finish-pending.ts';
import { storeBatch, type StoreDeps } from '../ingest/store-batch.ts';

export interface ReplayOutcome {
  id: number;
  outcome: 'stored' | 'unchanged' | 'still rejected' | 'not replayable';
  reason?: string;
}

/** `config` gives the rules the replayed readings are judged by; null refreshes their windows only. */
export async function replayQuarantined(deps: StoreDeps, items: readonly QuarantineItem[], config: AppConfig | null): Promise<ReplayOutcome[]> {
  const outcomes: ReplayOutcome[] = [];
  for (const item of items) {
    const reading = readingOf(item.detail);
    if (!reading) {
      outcomes.push({ id: item.id, outcome: 'not replayable', reason: item.reason });
      continue;
    }
    const { readings, rejections } = normalizeRecord({ raw: item.raw, readings: [reading] }, { now: deps.now() });
    const result = readings.length > 0 ? await storeBatch(deps, { sourceId: item.source_id, readings, rejections: [], recordHealth: false }, new Map(), true) : null;
    const failure = rejections[0] ?? (result && result.rejected > 0 ? result.rejections[0] : undefined);
    if (failure) {
      await deps.db.updateTable('quarantine').set({ code: failure.code, reason: failure.reason }).where('id', '=', item.id).execute();
      outcomes.push({ id: item.id, outcome: 'still rejected', reason: failure.reason });
      continue;
    }
    // The dry run above proved the reading stores; now store it and close the item together.
    const stored = await storeBatch(deps, { sourceId: item.source_id, readings, rejections: [], recordHealth: false, runRules: config !== null });
    await deps.db
      .updateTable('quarantine')
      .set({ status: 'replayed', resolved_at: sql<Date>`now()`, resolution: stored.stored > 0 || stored.revised > 0 ? 'stored' : 'unchanged' })
      .where('id', '=', item.id)
      .execute();
    outcomes.push({ id: item.id, outcome: stored.stored > 0 || stored.revised > 0 ? 'stored' : 'unchanged' });
  }
  if (outcomes.some((o) => o.outcome === 'stored')) await finishPending({ db: deps.db, parameterIds: deps.parameterIds, config, now: () => deps.now() }, { wait: true });
  return outcomes;
}

function readingOf(detail: Record<string, unknown>): RawReading | null {
  const get = (key: string) => (typeof detail[key] === 'string' ? detail[key] : '');
  const period = get('period');
  const observedAt = new Date(get('observedAt'));
  if (!get('site') || !get('parameter') || !get('value') || !['minute', 'hour', 'day'].includes(period) || Number.isNaN(observedAt.getTime())) return null;
  return { site: get('site'), parameter: get('parameter'), period: period as AveragingPeriod, observedAt, value: get('value'), unit: get('unit'), flag: get('flag') || 'N' };
}
