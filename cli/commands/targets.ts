import { originMark } from '../../lib/data-origin.ts';
import { QueryError } from '../../lib/query-error.ts';
import { targetsDate, targetsQuery, type TargetRow } from '../../evaluate/target-standings.ts';
import { noTargetInForceNote } from '../../standards/plan-period.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

export const targetsCommand: Command = {
  path: ['targets'],
  summary: 'plan targets with year-to-date progress, references carried past their plan period and final results',
  usage: 'envmon targets [--year YYYY] [--as-of YYYY-MM-DD] [--all] [--json]',
  options: {
    year: { type: 'string', value: 'YYYY', description: 'the year to assess (default this year)' },
    'as-of': { type: 'string', value: 'YYYY-MM-DD', description: 'progress up to this day of the year (default today)' },
    all: { type: 'boolean', default: false, description: 'every configured target, not only those in force, carried as references or with a final result' },
    json: { type: 'boolean', default: false, description: 'print the targets and their progress as JSON' },
  },
  examples: ['envmon targets', 'envmon targets --year 2025 --as-of 2025-06-30 --json'],
  run: async ({ values }, context) => {
    return withDatabase(context, async ({ db, storeDeps }) => {
      const now = new Date();
      const query = { year: str(values.year), asOf: str(values['as-of']) };
      const rows = await targetsQuery(db, context.config.targets, storeDeps.parameterIds, { ...query, all: values.all === true }, now).catch((error: unknown) => {
        throw error instanceof QueryError ? new UsageError(`--${error.message}`) : error;
      });
      if (values.json) context.out(JSON.stringify(rows, null, 2));
      else {
        // No target in force is said with its reason, never as a bare "none".
        const why = noTargetInForceNote(context.config.targets, targetsDate(query, now).asOf);
        if (why !== null) context.out(why);
        if (rows.length === 0) context.out('(--all shows every configured target)');
        for (const r of rows) context.out(targetLine(r));
      }
      return 0;
    });
  },
};

/** One target: progress for one in force or a reference (labelled), the final-year result for an ended one. */
function targetLine(r: TargetRow): string {
  const head = `${originMark(r.origin)}${r.id}${r.governing ? '' : ' (not governing)'}  ${r.document}`;
  const final = r.final ? `${r.final.year} 年终结果：${r.final.text}` : r.final === null ? `${r.validTo.slice(0, 4)} 年终结果：无法计算（区域目标或站点未入库）` : null;
  if (r.status === 'final') return `${head}  【终期结果】${final ?? ''}（${r.statusNote ?? ''}）`;
  const p = r.progress;
  const label = r.reference ? '参考值' : 'target';
  const progress = `${r.indicator}: ${p?.current ?? 'no data'} (${label} ${p?.required ?? '-'})${p?.meets === true ? ' 达标' : p?.meets === false ? ' 未达标' : ''}${p?.projection ? `  ${p.projection}` : ''}`;
  if (r.reference) return `${head}  【${r.statusNote ?? '参考值'}】 ${progress}\n    ${r.periodNote ?? ''}${final ? `；${final}` : ''}`;
  return `${head}  ${progress}${r.status === undefined && r.statusNote ? `  （${r.statusNote}）` : ''}`;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
