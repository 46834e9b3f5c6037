import { sql } from 'kysely';
import { rebuildAggregates } from '../../db/repositories/aggregates-recompute.ts';
import { finishPending } from '../../evaluate/finish-pending.ts';
import type { Command } from '../command.ts';
import { TIME_NOTE, timeFlag } from '../time-flag.ts';
import { withDatabase } from '../with-database.ts';

export const aggregatesRebuildCommand: Command = {
  path: ['aggregates', 'rebuild'],
  summary: 'finish evaluations left pending, then recompute the stored rolling windows from the raw readings (after a bulk load into the database, or to repair)',
  usage: 'envmon aggregates rebuild [--site CODE[,CODE…]] [--from TIME] [--to TIME]',
  options: {
    site: { type: 'string', value: 'CODE[,CODE…]', description: 'only these sites (default every site with hourly readings)' },
    from: { type: 'string', value: 'TIME', description: 'first hour to recompute (default the first reading)' },
    to: { type: 'string', value: 'TIME', description: 'last hour to recompute; a date alone means to its end (default the last reading)' },
  },
  examples: ['envmon aggregates rebuild', 'envmon aggregates rebuild --site JC-AIR-TOWN --from 2026-01-01 --to 2026-03-31'],
  notes: TIME_NOTE,
  run: async ({ values }, context) =>
    withDatabase(context, async ({ db, storeDeps }) => {
      // Evaluations a crash left pending are finished first, rules included: the windows they refresh are about to be
      // rebuilt anyway, but their watermarks and rule runs are owed only to them.
      // A site whose evaluation fails is logged and left pending; the rebuild goes on, and the exit code says so.
      const finished = await finishPending({ db, parameterIds: storeDeps.parameterIds, config: context.config, log: context.log, now: () => new Date() }, { wait: true, isolateFailures: true });
      if (finished.marks > 0) context.out(`finished the pending windows and rules of ${finished.series} series`);
      const exit = () => {
        if (finished.failed === 0) return 0;
        context.note?.(`envmon: the windows and rules pending for ${finished.failed} site${finished.failed === 1 ? '' : 's'} could not be finished (see the log above); they are left pending, as envmon status shows`);
        return 1;
      };
      const codes = typeof values.site === 'string' ? values.site.split(',').map((s) => s.trim()).filter(Boolean) : null;
      const bounds = await sql<{ site_id: number; parameter_id: number; parameter: string; first: Date; last: Date }>`
        select r.site_id, r.parameter_id, p.code as parameter, min(r.observed_at) as first, max(r.observed_at) as last
        from reading r join parameter p on p.id = r.parameter_id join site s on s.id = r.site_id
        where r.period = 'hour' ${codes ? sql`and s.code = any(${codes}::text[])` : sql``}
        group by r.site_id, r.parameter_id, p.code`.execute(db);
      if (bounds.rows.length === 0) {
        context.out('no hourly readings to aggregate');
        return exit();
      }
      const time = (key: 'from' | 'to', fallback: Date): Date => timeFlag(key, values[key], key === 'to' ? 'end' : 'start') ?? fallback;
      const from = time('from', new Date(Math.min(...bounds.rows.map((b) => b.first.getTime()))));
      const to = time('to', new Date(Math.max(...bounds.rows.map((b) => b.last.getTime()))));
      const series = bounds.rows.map((b) => ({ siteId: b.site_id, parameterId: b.parameter_id, parameter: b.parameter }));
      const written = await rebuildAggregates(db, series, from, to);
      context.out(`rebuilt ${written} windows of ${series.length} series`);
      return exit();
    }),
};
