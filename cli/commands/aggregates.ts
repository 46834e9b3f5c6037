import { sql } from 'kysely';
import { rebuildAggregates } from '../../db/repositories/aggregates-recompute.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

export const aggregatesRebuildCommand: Command = {
  path: ['aggregates', 'rebuild'],
  summary: 'recompute the stored rolling windows from the raw readings (after a bulk load into the database, or to repair)',
  usage: 'envmon aggregates rebuild [--site CODE[,CODE…]] [--from ISO] [--to ISO]',
  options: { site: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  run: async ({ values }, context) =>
    withDatabase(context, async ({ db }) => {
      const codes = typeof values.site === 'string' ? values.site.split(',').map((s) => s.trim()).filter(Boolean) : null;
      const bounds = await sql<{ site_id: number; parameter_id: number; parameter: string; first: Date; last: Date }>`
        select r.site_id, r.parameter_id, p.code as parameter, min(r.observed_at) as first, max(r.observed_at) as last
        from reading r join parameter p on p.id = r.parameter_id join site s on s.id = r.site_id
        where r.period = 'hour' ${codes ? sql`and s.code = any(${codes}::text[])` : sql``}
        group by r.site_id, r.parameter_id, p.code`.execute(db);
      if (bounds.rows.length === 0) {
        context.out('no hourly readings to aggregate');
        return 0;
      }
      const time = (key: 'from' | 'to', fallback: Date): Date => {
        if (typeof values[key] !== 'string') return fallback;
        const d = new Date(values[key]);
        if (Number.isNaN(d.getTime())) throw new UsageError(`--${key} must be an ISO time`);
        return d;
      };
      const from = time('from', new Date(Math.min(...bounds.rows.map((b) => b.first.getTime()))));
      const to = time('to', new Date(Math.max(...bounds.rows.map((b) => b.last.getTime()))));
      const series = bounds.rows.map((b) => ({ siteId: b.site_id, parameterId: b.parameter_id, parameter: b.parameter }));
      const written = await rebuildAggregates(db, series, from, to);
      context.out(`rebuilt ${written} windows of ${series.length} series`);
      return 0;
    }),
};
