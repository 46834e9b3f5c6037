/**
 * Retention of minute data (migration 20261205T0100). Whole UTC days of `minute_reading` are dropped, oldest first,
 * once every hour derived from them is derived; the bound before which minutes are no longer taken moves in the
 * same transaction as the drop. Storing minutes holds the bound's row `for share` in its own transaction, so a drop
 * waits for the batches in flight (and then sees the hours they marked) and the batches after it see the new bound.
 */
import { sql, type Kysely } from 'kysely';
import { DAY_MS } from '../../lib/time.ts';
import type { Database } from '../schema.ts';

export interface MinuteDay {
  /** The UTC day, YYYY-MM-DD. */
  readonly day: string;
  readonly table: string;
  readonly bytes: number;
}

export type DropOutcome =
  | { readonly outcome: 'dropped' }
  /** Hours of the day still to be derived from its minutes: the day stays. */
  | { readonly outcome: 'pending'; readonly hours: number }
  /** Another transaction held the table past the lock timeout: the day stays, to be tried again. */
  | { readonly outcome: 'busy' };

/** The day partitions of `minute_reading`, oldest first, with their size on disk. */
export async function minuteDays(db: Kysely<Database>): Promise<MinuteDay[]> {
  const { rows } = await sql<{ name: string; bytes: string }>`
    select c.relname as name, pg_total_relation_size(c.oid)::text as bytes
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'minute_reading'::regclass
    order by c.relname`.execute(db);
  return rows.flatMap((r) => {
    const m = /^minute_reading_(\d{4})_(\d{2})_(\d{2})$/.exec(r.name);
    return m ? [{ day: `${m[1]}-${m[2]}-${m[3]}`, table: r.name, bytes: Number(r.bytes) }] : [];
  });
}

/** Before which instant minutes are no longer taken, or null while nothing was dropped. */
export async function minutesKeptFrom(db: Kysely<Database>, lock: 'share' | 'none' = 'none'): Promise<Date | null> {
  const query = sql<{ bound: Date | null }>`select nullif(pruned_before, '-infinity') as bound from minute_retention`;
  const { rows } = await (lock === 'share' ? sql<{ bound: Date | null }>`${query} for share` : query).execute(db);
  return rows[0]?.bound ?? null;
}

/** Hours marked for derivation whose minutes lie in the UTC day: hour ends in (day 00:00, day 24:00]. */
export async function pendingHoursOf(db: Kysely<Database>, start: Date): Promise<number> {
  const end = new Date(start.getTime() + DAY_MS);
  const row = await db
    .selectFrom('minute_hour_pending')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('hour_end', '>', start)
    .where('hour_end', '<=', end)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

class KeepDay extends Error {
  constructor(readonly hours: number) {
    super('the day has hours still to derive');
  }
}

/** Drops one day of minute data and moves the bound past it, or keeps it and says why. */
export async function dropMinuteDay(db: Kysely<Database>, day: MinuteDay, lockTimeoutMs = 10_000): Promise<DropOutcome> {
  const start = new Date(`${day.day}T00:00:00Z`);
  try {
    await db.transaction().execute(async (trx) => {
      await sql`select set_config('lock_timeout', ${`${lockTimeoutMs}ms`}, true)`.execute(trx);
      // The bound first: this waits for batches storing minutes now, whose marks the check below then sees.
      await trx
        .updateTable('minute_retention')
        .set({ pruned_before: sql<Date>`greatest(pruned_before, ${new Date(start.getTime() + DAY_MS)}::timestamptz)` })
        .execute();
      const hours = await pendingHoursOf(trx, start);
      if (hours > 0) throw new KeepDay(hours);
      // "if exists": another prune (the nightly job and a hand-run command at once) may have dropped it meanwhile.
      await sql`drop table if exists ${sql.id(day.table)}`.execute(trx);
    });
    return { outcome: 'dropped' };
  } catch (error) {
    if (error instanceof KeepDay) return { outcome: 'pending', hours: error.hours };
    if ((error as { code?: string }).code === '55P03') return { outcome: 'busy' };
    throw error;
  }
}
