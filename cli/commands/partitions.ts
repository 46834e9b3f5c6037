/**
 * `envmon partitions prune --keep-days N`: minute data is kept apart from the hourly readings, partitioned by UTC
 * day, only to derive the hours; a county grid writes millions of minute rows a day. Whole days older than N are
 * dropped, oldest first, each once all its hours are derived (ingest/minute-retention.ts). The hourly readings are
 * never touched. The service does the same each night with `retention.minuteDays`.
 */
import { pruneMinuteDays } from '../../ingest/minute-retention.ts';
import { DAY_MS } from '../../lib/time.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

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
    'Days go oldest first; a day with hours still to derive stops the run there, so that the days kept are always the\nnewest. Minutes of a dropped day that arrive later (a station resending after an outage) are quarantined with\ncode pruned_day: keep more days than the longest outage whose data stations resend. The service runs this each\nnight with retention.minuteDays from the configuration (default 31).',
  run: async ({ values }, context) => {
    const keepDays = Number(values['keep-days']);
    if (typeof values['keep-days'] !== 'string' || !Number.isInteger(keepDays) || keepDays < 1) {
      throw new UsageError(`--keep-days must be a whole number of days, at least 1 (got ${JSON.stringify(values['keep-days'] ?? null)})`);
    }
    const dryRun = values['dry-run'] === true;
    return withDatabase(context, async ({ db }) => {
      const result = await pruneMinuteDays(db, keepDays, new Date(), dryRun);
      if (result.candidates === 0) {
        context.out(`no minute data before ${result.cutoff.toISOString().slice(0, 10)} (UTC) to drop`);
        return 0;
      }
      for (const day of result.dropped) context.out(`${day.day}  ${mebibytes(day.bytes)}  ${dryRun ? 'would be dropped' : 'dropped'}`);
      const stopped = result.stopped;
      if (stopped) {
        context.out(stopped.outcome.outcome === 'pending'
          ? `${stopped.day.day}  kept: ${stopped.outcome.hours} hour(s) still to derive from its minutes; later days wait for it (try again once the workers have derived them)`
          : `${stopped.day.day}  kept: the minute table was busy; try again`);
      }
      const total = result.dropped.reduce((sum, d) => sum + d.bytes, 0);
      const last = result.dropped.at(-1);
      context.out(dryRun
        ? `${result.dropped.length} day(s), ${mebibytes(total)}, would be dropped`
        : `${result.dropped.length} day(s) dropped, ${mebibytes(total)}${last ? `; minutes before ${nextDay(last.day)} 00:00 UTC are no longer taken` : ''}`);
      return stopped ? 1 : 0;
    });
  },
};

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MiB`;
}
