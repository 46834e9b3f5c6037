import { originMark } from '../../lib/data-origin.ts';
import { QueryError } from '../../queries/air-queries.ts';
import { targetsQuery } from '../../queries/targets-query.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

export const targetsCommand: Command = {
  path: ['targets'],
  summary: 'plan targets with year-to-date progress and what the rest of the year needs',
  usage: 'envmon targets [--year YYYY] [--as-of YYYY-MM-DD] [--all] [--json]',
  options: {
    year: { type: 'string', value: 'YYYY', description: 'the year to assess (default this year)' },
    'as-of': { type: 'string', value: 'YYYY-MM-DD', description: 'progress up to this day of the year (default today)' },
    all: { type: 'boolean', default: false, description: 'every configured target, not only those in force in the year' },
    json: { type: 'boolean', default: false, description: 'print the targets and their progress as JSON' },
  },
  examples: ['envmon targets', 'envmon targets --year 2025 --as-of 2025-06-30 --json'],
  run: async ({ values }, context) => {
    return withDatabase(context, async ({ db, storeDeps }) => {
      const rows = await targetsQuery(db, context.config.targets, storeDeps.parameterIds, { year: str(values.year), asOf: str(values['as-of']), all: values.all === true }, new Date()).catch((error: unknown) => {
        throw error instanceof QueryError ? new UsageError(`--${error.message}`) : error;
      });
      if (values.json) context.out(JSON.stringify(rows, null, 2));
      else {
        if (rows.length === 0) context.out(`no targets in force in ${str(values.year) ?? 'this year'} (--all shows every target)`);
        for (const r of rows) {
          const p = r.progress;
          context.out(`${originMark(r.origin)}${r.id}${r.governing ? '' : ' (not governing)'}  ${r.document}  ${r.indicator}: ${p?.current ?? 'no data'} (target ${p?.required ?? '-'})${p?.meets === true ? ' 达标' : p?.meets === false ? ' 未达标' : ''}${p?.projection ? `  ${p.projection}` : ''}`);
        }
      }
      return 0;
    });
  },
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
