/**
 * Dropping old minute data: the UTC days of `minute_reading` that end at least `keepDays` days before today's
 * start (UTC), oldest first, each only once every hour derived from it is derived. The first day that has to stay
 * stops the run, so that the days kept are always the newest and the retention bound never jumps over one.
 * `envmon partitions prune` and the nightly `prune-minute-days` job both run this.
 */
import type { Kysely } from 'kysely';
import { dropMinuteDay, minuteDays, pendingHoursOf, type DropOutcome, type MinuteDay } from '../db/repositories/minute-retention.repository.ts';
import type { Database } from '../db/schema.ts';
import { DAY_MS } from '../lib/time.ts';

export interface PruneResult {
  /** Days before this instant (UTC midnight) were to go. */
  readonly cutoff: Date;
  /** The days old enough to go. */
  readonly candidates: number;
  readonly dropped: readonly MinuteDay[];
  /** The day that had to stay, and why; null when every candidate went. */
  readonly stopped: { readonly day: MinuteDay; readonly outcome: Exclude<DropOutcome, { outcome: 'dropped' }> } | null;
}

export async function pruneMinuteDays(db: Kysely<Database>, keepDays: number, now: Date, dryRun = false): Promise<PruneResult> {
  const cutoff = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - keepDays * DAY_MS);
  const old = (await minuteDays(db)).filter((d) => Date.parse(`${d.day}T00:00:00Z`) + DAY_MS <= cutoff.getTime());
  const dropped: MinuteDay[] = [];
  for (const day of old) {
    const outcome = dryRun ? await wouldDrop(db, day) : await dropMinuteDay(db, day);
    if (outcome.outcome !== 'dropped') return { cutoff, candidates: old.length, dropped, stopped: { day, outcome } };
    dropped.push(day);
  }
  return { cutoff, candidates: old.length, dropped, stopped: null };
}

async function wouldDrop(db: Kysely<Database>, day: MinuteDay): Promise<DropOutcome> {
  const hours = await pendingHoursOf(db, new Date(`${day.day}T00:00:00Z`));
  return hours > 0 ? { outcome: 'pending', hours } : { outcome: 'dropped' };
}
