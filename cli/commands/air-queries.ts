import { aqiQuery, QueryError, statsQuery, statsWindows } from '../../queries/air-queries.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

/** Turns a request error into the CLI's one-line usage error. */
async function asUsage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof QueryError) throw new UsageError(`--${error.message}`);
    throw error;
  }
}

const text = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

export const aqiCommand: Command = {
  path: ['aqi'],
  summary: 'hourly or daily AQI of sites by HJ 633 (the edition in force at the time)',
  usage: 'envmon aqi --site CODE[,CODE…] --from ISO --to ISO [--daily] [--json]',
  options: { site: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, daily: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  run: async ({ values }, context) =>
    withDatabase(context, async ({ db }) => {
      const rows = await asUsage(() => aqiQuery(db, { site: text(values.site), from: text(values.from), to: text(values.to), daily: values.daily === true }));
      if (values.json) context.out(JSON.stringify(rows, null, 2));
      else for (const r of rows) context.out(`${r.site}  ${r.time}  AQI ${r.aqi ?? 'NA'}  ${r.category ?? ''}  ${r.primaryPollutants.join(',')}  (${r.standard})`);
      return 0;
    }),
};

export const statsCommand: Command = {
  path: ['stats'],
  summary: 'window statistics of a parameter (GB 3095 validity rules, GB/T 8170 rounding)',
  usage: `envmon stats --site CODE[,CODE…] --parameter P --window ${statsWindows.join('|')} --from ISO --to ISO [--json]`,
  options: { site: { type: 'string' }, parameter: { type: 'string' }, window: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean', default: false } },
  run: async ({ values }, context) =>
    withDatabase(context, async ({ db }) => {
      const rows = await asUsage(() => statsQuery(db, { site: text(values.site), parameter: text(values.parameter), window: text(values.window), from: text(values.from), to: text(values.to) }));
      if (values.json) context.out(JSON.stringify(rows, null, 2));
      else for (const r of rows) context.out(`${r.site}  ${r.time}  ${r.value ?? 'NA'}  (${r.validCount} values${r.valid ? '' : ', not valid'})`);
      return 0;
    }),
};
