/**
 * Stores hourly readings through the ingest path (storeBatch) and pays their windows (finishPending), so the
 * console reads exactly what a running envmon would have stored.
 */
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { AppConfig } from '../../config/load-config.ts';
import type { ParameterIds } from '../../db/repositories/parameters.repository.ts';
import type { Database } from '../../db/schema.ts';
import { finishPending } from '../../evaluate/finish-pending.ts';
import { storeBatch } from '../../ingest/store-batch.ts';
import { HOUR_MS } from '../../lib/time.ts';
import { findParameter } from '../../standards/parameters.ts';

export interface SeedDeps {
  db: Kysely<Database>;
  pool: pg.Pool;
  parameterIds: ParameterIds;
  now: () => Date;
}

/** `hours` hourly values of each parameter ending at `lastHour` (ms), all flagged N. */
export function hourlyRows(site: string, values: Record<string, string | ((i: number) => string)>, lastHour: number, hours: number) {
  return Object.entries(values).flatMap(([parameter, v]) =>
    Array.from({ length: hours }, (_, i) => ({
      site,
      parameter,
      period: 'hour' as const,
      observedAt: new Date(lastHour - (hours - 1 - i) * HOUR_MS).toISOString(),
      value: typeof v === 'function' ? v(i) : v,
      unit: findParameter(parameter)?.unit ?? '',
      flag: 'N',
    })),
  );
}

export async function storeHours(deps: SeedDeps, config: AppConfig | null, sourceId: string | null, readings: ReturnType<typeof hourlyRows>): Promise<void> {
  await storeBatch({ ...deps, partitions: new Set<string>() }, { sourceId, readings, rejections: [], runRules: false });
  await finishPending({ db: deps.db, parameterIds: deps.parameterIds, config, now: deps.now }, { wait: true });
}
