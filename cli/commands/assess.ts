/** `envmon assess`, `envmon rank` and `envmon dust …`: period assessments, rankings and dust-affected days. */
import { addDustDay, dustDaysBetween, removeDustDay } from '../../db/repositories/dust-days.repository.ts';
import { dateProblem } from '../../lib/time-input.ts';
import { checkPeriod, assessAir } from '../../queries/air-assessment-query.ts';
import { QueryError } from '../../lib/query-error.ts';
import { rankAir, rankFigures, type RankBy } from '../../queries/rank-query.ts';
import { assessWater } from '../../queries/water-assessment-query.ts';
import { airAssessmentText, rankText } from '../../reports/air-assessment-text.ts';
import { waterAssessmentText } from '../../reports/water-assessment-text.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A required YYYY-MM-DD option that names a real day. */
function dateOption(name: string, value: unknown): string {
  const text = str(value);
  if (text === undefined) throw new UsageError(`--${name} is required (a date YYYY-MM-DD)`);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) throw new UsageError(`--${name} ${JSON.stringify(text)}: expected a date YYYY-MM-DD`);
  const problem = dateProblem(Number(m[1]), Number(m[2]), Number(m[3]));
  if (problem) throw new UsageError(`--${name} ${JSON.stringify(text)}: no such date (${problem})`);
  return text;
}

const asUsage = (error: unknown): never => {
  throw error instanceof QueryError ? new UsageError(`--${error.message}`) : error;
};

const PERIOD_NOTE = 'Dates are natural days in Beijing time, both inclusive. Figures follow HJ 663-2013; each is also shown without the dust-affected days (扣沙, see `envmon dust`).';

export const assessCommand: Command = {
  path: ['assess'],
  summary: 'assess air (HJ 663) or water (GB 3838) over a period: concentrations, composite index, good days',
  usage: 'envmon assess (--site CODE[,CODE…] | --area NAME) --from YYYY-MM-DD --to YYYY-MM-DD [--kind air|water] [--json]',
  options: {
    site: { type: 'string', value: 'CODE[,CODE…]', description: 'site codes (default: every air site)' },
    area: { type: 'string', value: 'NAME', description: "an area (a site's area): the mean over its air sites" },
    from: { type: 'string', value: 'YYYY-MM-DD', description: 'first day of the period' },
    to: { type: 'string', value: 'YYYY-MM-DD', description: 'last day of the period (inclusive)' },
    kind: { type: 'string', value: 'air|water', default: 'air', description: 'air (default) or water sections' },
    json: { type: 'boolean', default: false, description: 'print the assessment as JSON' },
  },
  examples: ['envmon assess --site Dongsi --from 2016-01-01 --to 2016-12-31', 'envmon assess --area 北京市 --from 2016-02-01 --to 2016-02-29 --json', 'envmon assess --kind water --from 2026-01-01 --to 2026-06-30'],
  notes: PERIOD_NOTE,
  run: async ({ values }, context) => {
    const from = dateOption('from', values.from);
    const to = dateOption('to', values.to);
    const kind = str(values.kind) ?? 'air';
    if (kind !== 'air' && kind !== 'water') throw new UsageError(`--kind ${JSON.stringify(kind)}: expected air or water`);
    const sites = str(values.site)?.split(',').map((s) => s.trim()).filter(Boolean);
    const area = str(values.area);
    if (sites !== undefined && area !== undefined) throw new UsageError('--site and --area: give one of them, not both');
    try {
      checkPeriod(from, to);
    } catch (error) {
      asUsage(error);
    }
    return withDatabase(context, async ({ db }) => {
      if (kind === 'water') {
        if (area !== undefined) throw new UsageError('--area: water sections are assessed by --site');
        const result = await assessWater(db, context.config, { ...(sites ? { sites } : {}), from, to }, new Date());
        context.out(values.json ? JSON.stringify(result, null, 2) : waterAssessmentText(result));
        return 0;
      }
      const result = await assessAir(db, context.config, { ...(sites ? { sites } : {}), ...(area === undefined ? {} : { area }), from, to }, new Date()).catch(asUsage);
      context.out(values.json ? JSON.stringify(result, null, 2) : result.map(airAssessmentText).join('\n\n'));
      return 0;
    });
  },
};

export const rankCommand: Command = {
  path: ['rank'],
  summary: 'rank air sites or areas by composite index, PM2.5, good-day ratio or change on last year',
  usage: 'envmon rank --by composite|pm2_5|goodRatio|change --from YYYY-MM-DD --to YYYY-MM-DD [--areas] [--json]',
  options: {
    by: { type: 'string', value: 'FIGURE', default: 'composite', description: 'composite (default), pm2_5, goodRatio or change' },
    from: { type: 'string', value: 'YYYY-MM-DD', description: 'first day of the period' },
    to: { type: 'string', value: 'YYYY-MM-DD', description: 'last day of the period (inclusive)' },
    areas: { type: 'boolean', default: false, description: 'rank areas instead of sites' },
    json: { type: 'boolean', default: false, description: 'print the ranking as JSON' },
  },
  examples: ['envmon rank --by composite --from 2016-01-01 --to 2016-12-31', 'envmon rank --by goodRatio --from 2016-07-01 --to 2016-07-31 --areas --json'],
  notes: `${PERIOD_NOTE} Ranked on the figures without dust days; lower ranks first except goodRatio; equal values share a rank (1, 1, 3).`,
  run: async ({ values }, context) => {
    const by = str(values.by) ?? 'composite';
    if (!rankFigures.includes(by as RankBy)) throw new UsageError(`--by ${JSON.stringify(by)}: expected one of ${rankFigures.join(', ')}`);
    const from = dateOption('from', values.from);
    const to = dateOption('to', values.to);
    try {
      checkPeriod(from, to);
    } catch (error) {
      asUsage(error);
    }
    return withDatabase(context, async ({ db }) => {
      const rows = await rankAir(db, context.config, { by: by as RankBy, from, to, areas: values.areas === true }, new Date()).catch(asUsage);
      context.out(values.json ? JSON.stringify(rows.map(({ assessment, ...row }) => ({ ...row, originLabel: assessment.originLabel, assessment })), null, 2) : rankText(rows, by as RankBy, from, to));
      return 0;
    });
  },
};

export const dustAddCommand: Command = {
  path: ['dust', 'add'],
  summary: 'mark a day as affected by sand and dust (扣沙)',
  usage: 'envmon dust add --date YYYY-MM-DD [--area NAME] --note TEXT --by NAME',
  options: {
    date: { type: 'string', value: 'YYYY-MM-DD', description: 'the natural day (Beijing time)' },
    area: { type: 'string', value: 'NAME', description: 'the area it applies to (default every area)' },
    note: { type: 'string', value: 'TEXT', description: 'why, e.g. the dust-weather bulletin' },
    by: { type: 'string', value: 'NAME', description: 'who marks it' },
  },
  examples: ['envmon dust add --date 2016-05-05 --area 北京市 --note "沙尘天气过程（市气象台通报）" --by 张三'],
  run: async ({ values }, context) => {
    const day = dateOption('date', values.date);
    const note = str(values.note)?.trim();
    const by = str(values.by)?.trim();
    if (!note) throw new UsageError('--note is required (why the day is marked)');
    if (!by) throw new UsageError('--by is required (who marks the day)');
    const area = str(values.area)?.trim() || null;
    return withDatabase(context, async ({ db }) => {
      if (area !== null) {
        const known = await db.selectFrom('site').select('area').where('area', '=', area).executeTakeFirst();
        if (!known) throw new UsageError(`--area ${JSON.stringify(area)}: no site is in that area`);
      }
      const added = await addDustDay(db, { day, area, note, markedBy: by });
      context.out(added ? `已标记 ${day} ${area ?? '全部区域'} 为沙尘影响日` : `${day} ${area ?? '全部区域'} 已经标记过`);
      return added ? 0 : 1;
    });
  },
};

export const dustListCommand: Command = {
  path: ['dust', 'list'],
  summary: 'list the days marked as affected by sand and dust',
  usage: 'envmon dust list [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]',
  options: {
    from: { type: 'string', value: 'YYYY-MM-DD', description: 'first day (default 2000-01-01)' },
    to: { type: 'string', value: 'YYYY-MM-DD', description: 'last day (default 2100-12-31)' },
    json: { type: 'boolean', default: false, description: 'print as JSON' },
  },
  examples: ['envmon dust list --from 2016-01-01 --to 2016-12-31'],
  run: async ({ values }, context) => {
    const from = values.from === undefined ? '2000-01-01' : dateOption('from', values.from);
    const to = values.to === undefined ? '2100-12-31' : dateOption('to', values.to);
    return withDatabase(context, async ({ db }) => {
      const configured = context.config.dustDays.filter((d) => d.date >= from && d.date <= to).map((d) => ({ day: d.date, area: d.area ?? null, note: d.note, markedBy: d.by, source: 'config' as const }));
      const marks = [...(await dustDaysBetween(db, from, to)), ...configured].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
      if (values.json) context.out(JSON.stringify(marks, null, 2));
      else if (marks.length === 0) context.out(`${from} 至 ${to} 无沙尘影响日`);
      else for (const m of marks) context.out(`${m.day}  ${m.area ?? '全部区域'}  ${m.note}  （${m.markedBy}，${m.source === 'config' ? '配置文件' : '命令标记'}）`);
      return 0;
    });
  },
};

export const dustRemoveCommand: Command = {
  path: ['dust', 'remove'],
  summary: 'remove a dust-day mark made with `dust add`',
  usage: 'envmon dust remove --date YYYY-MM-DD [--area NAME]',
  options: {
    date: { type: 'string', value: 'YYYY-MM-DD', description: 'the marked day' },
    area: { type: 'string', value: 'NAME', description: 'the area of the mark (default the mark for every area)' },
  },
  examples: ['envmon dust remove --date 2016-05-05 --area 北京市'],
  notes: 'Marks from `dustDays` in the configuration are removed by editing the configuration.',
  run: async ({ values }, context) => {
    const day = dateOption('date', values.date);
    const area = str(values.area)?.trim() || null;
    return withDatabase(context, async ({ db }) => {
      const removed = await removeDustDay(db, day, area);
      if (!removed) throw new UsageError(`--date ${day}${area ? ` --area ${area}` : ''}: no such mark (see envmon dust list)`);
      context.out(`已取消 ${day} ${area ?? '全部区域'} 的沙尘影响日标记`);
      return 0;
    });
  },
};
