/**
 * `envmon partitions prune --keep-days N`: minute data is kept apart from the hourly readings, partitioned by UTC
 * day, only to derive the hours; a county grid writes millions of minute rows a day. Whole days older than N are
 * dropped, oldest first, each once all its hours are derived. The hourly readings are never touched.
 */
import { dropMinuteDay, minuteDays, pendingHoursOf, type MinuteDay } from '../../db/repositories/minute-retention.repository.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

const DAY_MS = 86_400_000;

export const partitionsPruneCommand: Command = {
  path: ['partitions', 'prune'],
  summary: 'drop whole UTC days of minute data older than --keep-days, once their hours are derived (hourly readings stay)',
  usage: 'envmon partitions prune --keep-days N [--dry-run]',
  options: {
    'keep-days': { type: 'string', value: 'N', description: 'whole UTC days of minute data to keep before today (required, at least 1)' },
    'dry-run': { type: 'boolean', default: false, description: 'list the days that would be dropped, dropping nothing' },
  },
  examples: ['envmon partitions prune --keep-days 7 --dry-run', 'envmon partitions prune --keep-days 7'],
  notes:
    'Days go oldest first; a day with hours still to derive stops the run there, so that the days kept are always the\nnewest. Minutes of a dropped day that arrive later (a station resending after an outage) are quarantined with\ncode pruned_day: keep more days than the longest outage whose data stations resend. Run it daily (cron).',
  run: async ({ values }, context) => {
    const keepDays = Number(values['keep-days']);
    if (typeof values['keep-days'] !== 'string' || !Number.isInteger(keepDays) || keepDays < 1) {
      throw new UsageError(`--keep-days must be a whole number of days, at least 1 (got ${JSON.stringify(values['keep-days'] ?? null)})`);
    }
    const dryRun = values['dry-run'] === true;
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const cutoff = new Date(today - keepDays * DAY_MS);
    return withDatabase(context, async ({ db }) => {
      const old = (await minuteDays(db)).filter((d) => Date.parse(`${d.day}T00:00:00Z`) + DAY_MS <= cutoff.getTime());
      if (old.length === 0) {
        context.out(`no minute data before ${cutoff.toISOString().slice(0, 10)} (UTC) to drop`);
        return 0;
      }
      const dropped: MinuteDay[] = [];
      for (const day of old) {
        const outcome = dryRun ? await wouldDrop(db, day) : await dropMinuteDay(db, day);
        if (outcome.outcome === 'dropped') {
          dropped.push(day);
          context.out(`${day.day}  ${mebibytes(day.bytes)}  ${dryRun ? 'would be dropped' : 'dropped'}`);
          continue;
        }
        context.out(outcome.outcome === 'pending'
          ? `${day.day}  kept: ${outcome.hours} hour(s) still to derive from its minutes; later days wait for it (try again once the workers have derived them)`
          : `${day.day}  kept: the minute table was busy; try again`);
        break;
      }
      const total = dropped.reduce((sum, d) => sum + d.bytes, 0);
      const last = dropped.at(-1);
      context.out(dryRun
        ? `${dropped.length} day(s), ${mebibytes(total)}, would be dropped`
        : `${dropped.length} day(s) dropped, ${mebibytes(total)}${last ? `; minutes before ${nextDay(last.day)} 00:00 UTC are no longer taken` : ''}`);
      return dropped.length === old.length ? 0 : 1;
    });
  },
};

async function wouldDrop(db: Parameters<typeof pendingHoursOf>[0], day: MinuteDay): Promise<{ outcome: 'dropped' } | { outcome: 'pending'; hours: number }> {
  const hours = await pendingHoursOf(db, new Date(`${day.day}T00:00:00Z`));
  return hours > 0 ? { outcome: 'pending', hours } : { outcome: 'dropped' };
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MiB`;
}
