import { aqiQuery, checkAqiRequest, checkStatsRequest, defaultQueryLimits, statsQuery, statsWindows, type QueryOptions } from '../../queries/air-queries.ts';
import { QueryError } from '../../lib/query-error.ts';
import { formatBeijing } from '../../lib/time.ts';
import { UsageError, type Command, type CommandContext } from '../command.ts';
import { TIME_NOTE } from '../time-flag.ts';
import { withDatabase } from '../with-database.ts';

/** Turns a request error into the CLI's one-line usage error, the parameter named as its option. */
async function asUsage<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof QueryError) throw new UsageError(`--${error.message}`);
    throw error;
  }
}

const text = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

/** The range was cut at the present: say so, on stderr, so that JSON output stays clean. */
const options = (context: CommandContext): QueryOptions => ({
  onClamped: (to, now) => context.note?.(`--to ${JSON.stringify(to)} is in the future; showing data up to now (${formatBeijing(now)} Beijing time)`),
});

const RANGE_NOTE = [
  TIME_NOTE,
  'Both ends are included: hourly rows are labelled by the end of their hour, and --from 2026-11-01T00:00 starts with',
  'the row labelled 00:00. A date alone means its natural day, the hours 01:00 … 24:00 (--from 2026-11-01 --to',
  '2026-11-03 is three whole days). Days (YYYY-MM-DD), months (YYYY-MM) and years (YYYY) are listed when they overlap',
  `the range. A --to still to come is taken as now. At most ${defaultQueryLimits.maxSites} sites and ${defaultQueryLimits.maxRangeDays} days per request.`,
].join('\n');

const siteOption = { type: 'string', value: 'CODE[,CODE…]', description: 'sites by code, comma-separated (envmon sites lists them; required)' } as const;
const fromOption = { type: 'string', value: 'TIME', description: 'first hour or day shown, included (required)' } as const;
const toOption = { type: 'string', value: 'TIME', description: 'last hour or day shown, included (required)' } as const;

export const aqiCommand: Command = {
  path: ['aqi'],
  summary: 'hourly or daily AQI of sites by HJ 633 (the edition in force at the time)',
  usage: 'envmon aqi --site CODE[,CODE…] --from TIME --to TIME [--daily] [--json]',
  options: {
    site: siteOption,
    from: fromOption,
    to: toOption,
    daily: { type: 'boolean', default: false, description: 'daily AQI of each natural day, from its 24-hour means and O3 8-hour maximum' },
    json: { type: 'boolean', default: false, description: 'print {site, time, aqi, category, primaryPollutants, iaqi, standard} rows as JSON' },
  },
  examples: ['envmon aqi --site Dongsi --from 2026-11-01T08:00 --to 2026-11-01T12:00', 'envmon aqi --site Dongsi,Tiantan --from 2026-11-01 --to 2026-11-30 --daily --json'],
  notes: RANGE_NOTE,
  run: async ({ values }, context) => {
    const params = { site: text(values.site), from: text(values.from), to: text(values.to), daily: values.daily === true };
    // A request that cannot be answered fails before any database is opened.
    await asUsage(() => checkAqiRequest(params));
    return withDatabase(context, async ({ db }) => {
      const rows = await asUsage(() => aqiQuery(db, params, options(context)));
      if (values.json) context.out(JSON.stringify(rows, null, 2));
      else for (const r of rows) context.out(`${r.originLabel ? `【${r.originLabel}】` : ''}${r.site}  ${r.time}  AQI ${r.aqi ?? 'NA'}  ${r.category ?? ''}  ${r.primaryPollutants.join(',')}  (${r.standard})`);
      return 0;
    });
  },
};

export const statsCommand: Command = {
  path: ['stats'],
  summary: 'window statistics of a parameter (GB 3095 validity rules, GB/T 8170 rounding)',
  usage: `envmon stats --site CODE[,CODE…] --parameter P --window ${statsWindows.join('|')} --from TIME --to TIME [--json]`,
  options: {
    site: siteOption,
    parameter: { type: 'string', value: 'P', description: 'parameter code, e.g. pm2_5, o3, nh3_n (required)' },
    window: { type: 'string', value: statsWindows.join('|'), description: 'hourly values, 8-/24-hour moving means, or natural-day, month or year values (required)' },
    from: fromOption,
    to: toOption,
    json: { type: 'boolean', default: false, description: 'print {site, parameter, time, value, validCount, valid} rows as JSON' },
  },
  examples: ['envmon stats --site Dongsi --parameter pm2_5 --window 24h --from 2026-11-01T00:00 --to 2026-11-02T00:00', 'envmon stats --site JC-AIR-TOWN --parameter pm2_5 --window month --from 2026-01-01 --to 2026-11-30 --json'],
  notes: `${RANGE_NOTE}\nA moving window's time is the end of its last hour; validCount is the number of valid values (hours, 8-hour\nwindows for the O3 day, days for months and years).`,
  run: async ({ values }, context) => {
    const params = { site: text(values.site), parameter: text(values.parameter), window: text(values.window), from: text(values.from), to: text(values.to) };
    await asUsage(() => checkStatsRequest(params));
    return withDatabase(context, async ({ db }) => {
      const rows = await asUsage(() => statsQuery(db, params, options(context)));
      if (values.json) context.out(JSON.stringify(rows, null, 2));
      else for (const r of rows) context.out(`${r.originLabel ? `【${r.originLabel}】` : ''}${r.site}  ${r.time}  ${r.value ?? 'NA'}  (${r.validCount} values${r.valid ? '' : ', not valid'})`);
      return 0;
    });
  },
};
