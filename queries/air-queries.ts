/**
 * The read side shared by the CLI and the HTTP API: AQI and window statistics. Parameters arrive as text
 * (command-line options or query strings) and are checked here once; every error names the parameter and value.
 *
 * Ranges include both ends. Hourly rows (and 8-/24-hour windows) are labelled by the end of their hour, and a row is
 * listed when its label lies in [from, to]; a date alone stands for its natural day, the hours 01:00 … 24:00
 * Beijing time. Days (labelled YYYY-MM-DD), months (YYYY-MM) and years (YYYY) are listed when they overlap the range.
 * A time without a zone is Beijing time. Nothing later than now is listed.
 *
 * Statistics of 8 h, 24 h, days, months and years come from the stored rolling windows (`window_aggregate`), the
 * ones the rules judge; hourly values from the readings. Moving windows past a series' newest stored hour are not
 * stored yet (they are when data arrives), so those few are computed from the readings before it.
 */
import type { Kysely } from 'kysely';
import { aggregatesOf, type AggregateRow } from '../db/repositories/aggregates.repository.ts';
import { parameterIdsOf } from '../db/repositories/parameters.repository.ts';
import { hourlyValues } from '../db/repositories/series.repository.ts';
import { allSiteCodes, seriesWatermarks } from '../db/repositories/site-list.repository.ts';
import { siteIdsByCode } from '../db/repositories/sites.repository.ts';
import { dataOrigins, seriesOrigins } from '../db/repositories/source-series.repository.ts';
import type { Database } from '../db/schema.ts';
import { originFields, type DataOrigin } from '../lib/data-origin.ts';
import { didYouMean } from '../lib/near-miss.ts';
import { BEIJING_OFFSET_MS, DAY_MS, HOUR_MS, formatBeijing } from '../lib/time.ts';
import { parseTimeInput, TIME_FORMAT } from '../lib/time-input.ts';
import { dailyMean, eightHourMean, type Statistic } from '../standards/air-statistics.ts';
import { addDayValue, hourlyAqiSeries, seriesBySite, type StatsWindow } from '../standards/air-series.ts';
import { dailyAqi, editionForDay, pollutants, type AqiResult, type DailyConcentrations, type Pollutant } from '../standards/aqi.ts';
import { endOfNaturalDay, lastDayOfMonth } from '../standards/natural-day.ts';
import { parameterCatalogue } from '../standards/parameters.ts';
import { QueryError } from '../lib/query-error.ts';

/** A request the caller got wrong: the CLI prints it (with `--` before the parameter), the API answers 400. */
export const statsWindows: readonly StatsWindow[] = ['1h', '8h', '24h', 'day', 'month', 'year'];

/** What one request may ask for: the CLI takes the defaults, the HTTP API its own tighter limits (workers/http-api-params.ts). */
export interface QueryLimits {
  /** Sites per request. */
  maxSites: number;
  /** Days from `from` to `to`. */
  maxRangeDays: number;
}

export const defaultQueryLimits: QueryLimits = { maxSites: 50, maxRangeDays: 400 };

export interface QueryOptions {
  /** The present: nothing after it is listed (default the clock). */
  now?: Date;
  limits?: QueryLimits;
  /** Told when `to` lay in the future and the range was cut at `now`. */
  onClamped?: (to: string, now: Date) => void;
}

export interface RangeParams {
  site?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** A checked range: instants for periods, and the first and last hour labels listed. */
export interface QueryRange {
  from: number;
  to: number;
  firstHour: number;
  lastHour: number;
}

/** Parses and checks `from` and `to` against each other, the present and the limits. */
export function queryRange(params: Pick<RangeParams, 'from' | 'to'>, options: QueryOptions = {}): QueryRange {
  const now = options.now ?? new Date();
  const limits = options.limits ?? defaultQueryLimits;
  const from = timeParam('from', params.from);
  const to = timeParam('to', params.to);
  const start = from.parsed.instant.getTime();
  let end = to.parsed.date ? endOfNaturalDay(to.parsed.date).getTime() : to.parsed.instant.getTime();
  if (start > now.getTime()) throw new QueryError(`from ${JSON.stringify(from.text)}: in the future (it is now ${formatBeijing(now)} Beijing time)`);
  if (start > end || (start === end && from.parsed.date)) throw new QueryError(`from ${JSON.stringify(from.text)}: after to ${JSON.stringify(to.text)}`);
  if (end > now.getTime()) {
    end = now.getTime();
    options.onClamped?.(to.text, now);
  }
  const days = Math.ceil((end - start) / DAY_MS);
  if (days > limits.maxRangeDays) throw new QueryError(`to ${JSON.stringify(to.text)}: ${days} days after from, at most ${limits.maxRangeDays} per request`);
  // A date alone starts with its 01:00 value; the 00:00 value closes the day before.
  const firstHour = from.parsed.date ? start + HOUR_MS : Math.ceil(start / HOUR_MS) * HOUR_MS;
  return { from: start, to: end, firstHour, lastHour: Math.floor(end / HOUR_MS) * HOUR_MS };
}

function timeParam(name: 'from' | 'to', text: string | undefined): { text: string; parsed: { instant: Date; date: string | null } } {
  if (text === undefined || text.trim() === '') throw new QueryError(`${name} is required: give ${TIME_FORMAT}`);
  const parsed = parseTimeInput(text);
  if ('error' in parsed) throw new QueryError(`${name} ${JSON.stringify(text)}: ${parsed.error}`);
  return { text, parsed };
}

function siteCodes(site: string | undefined, limits: QueryLimits): string[] {
  const codes = [...new Set((site ?? '').split(',').map((s) => s.trim()).filter(Boolean))];
  if (codes.length === 0) throw new QueryError('site CODE[,CODE…] is required');
  if (codes.length > limits.maxSites) throw new QueryError(`site: ${codes.length} sites asked for, at most ${limits.maxSites} per request`);
  return codes;
}

/** Site ids by code; an unknown code is an error that names the known ones. */
async function resolveSites(db: Kysely<Database>, codes: readonly string[]): Promise<Map<string, number>> {
  const ids = await siteIdsByCode(db, codes);
  const unknown = codes.find((c) => !ids.has(c));
  if (unknown === undefined) return ids;
  const known = await allSiteCodes(db);
  const hint = didYouMean(unknown, known);
  const shown = known.length > 20 ? `${known.slice(0, 20).join(', ')} and ${known.length - 20} more` : known.join(', ') || 'none yet';
  throw new QueryError(`site ${JSON.stringify(unknown)}: no such site${hint ? `; ${hint}` : '.'} Known sites: ${shown} (envmon sites lists them)`);
}

const parameterCodes = parameterCatalogue.map((p) => p.code);

function checkParameter(parameter: string | undefined): string {
  if (!parameter) throw new QueryError('parameter is required, e.g. pm2_5');
  if (parameterCodes.includes(parameter)) return parameter;
  const hint = didYouMean(parameter, parameterCodes);
  throw new QueryError(`parameter ${JSON.stringify(parameter)}: no such parameter${hint ? `; ${hint}` : '.'} Known parameters: ${parameterCodes.join(', ')}`);
}

/** Beijing wall-clock time with its offset, e.g. 2016-03-01T10:00:00+08:00. */
export function beijingIso(instant: Date): string {
  return new Date(instant.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 19) + '+08:00';
}

function hourEnds(range: QueryRange): number[] {
  const ends: number[] = [];
  for (let t = range.firstHour; t <= range.lastHour; t += HOUR_MS) ends.push(t);
  return ends;
}

/** A calendar period by its label (YYYY-MM-DD, YYYY-MM or YYYY) and the end of its last natural day. */
interface Period {
  label: string;
  end: number;
}

/** The natural days, months or years that overlap (from, to) — by Beijing calendar dates. */
function periods(range: QueryRange, kind: 'day' | 'month' | 'year'): Period[] {
  const dateOf = (t: number) => new Date(t + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
  const first = dateOf(range.from);
  const last = dateOf(range.to - 1);
  const list: Period[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    const [y, m] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
    const label = kind === 'day' ? day : kind === 'month' ? day.slice(0, 7) : day.slice(0, 4);
    if (list.at(-1)?.label === label) continue;
    const lastDay = kind === 'day' ? day : kind === 'month' ? lastDayOfMonth(y, m) : `${y}-12-31`;
    list.push({ label, end: endOfNaturalDay(lastDay).getTime() });
  }
  return list;
}

/** Demonstration data is labelled on every row: `origin` simulated or replayed with its label, both null for measured data. */
interface Labelled {
  origin: DataOrigin | null;
  originLabel: string | null;
}

export interface AqiRow extends Labelled {
  site: string;
  time: string;
  aqi: number | null;
  category: string | null;
  primaryPollutants: string[];
  iaqi: AqiResult['iaqi'];
  standard: string;
}

function aqiRow(site: string, time: string, r: AqiResult, origin: DataOrigin | undefined): AqiRow {
  return { site, time, aqi: r.aqi, category: r.category?.nameZh ?? null, primaryPollutants: r.primaryPollutants, iaqi: r.iaqi, standard: r.standard, ...originFields(origin) };
}

/** The sources that delivered data of a site within the range (and the day before it, which its windows reach back to). */
function originSpan(range: QueryRange): { from: Date; to: Date } {
  return { from: new Date(range.from - DAY_MS), to: new Date(range.to) };
}

/** Checks an AQI request without touching the database (the CLI does so before opening one). */
export function checkAqiRequest(params: RangeParams, options: QueryOptions = {}): { codes: string[]; range: QueryRange } {
  return { codes: siteCodes(params.site, options.limits ?? defaultQueryLimits), range: queryRange(params, options) };
}

/** Hourly AQI per hour in the range, or with `daily` per natural day (from the stored day values). */
export async function aqiQuery(db: Kysely<Database>, params: RangeParams & { daily?: boolean }, options: QueryOptions = {}): Promise<AqiRow[]> {
  const { codes, range } = checkAqiRequest(params, options);
  const sites = await resolveSites(db, codes);
  const origins = await dataOrigins(db, [...sites.values()], originSpan(range));
  const originOf = (site: string) => origins.get(sites.get(site) ?? 0);
  if (!params.daily) {
    const ends = hourEnds(range);
    const series = seriesBySite(await hourlyValues(db, codes, pollutants, new Date(range.firstHour - HOUR_MS), new Date(range.lastHour)));
    return codes.flatMap((site) => hourlyAqiSeries(series.get(site) ?? new Map<string, Map<number, string>>(), ends).map(({ time, result }) => aqiRow(site, beijingIso(time), result, originOf(site))));
  }
  const days = periods(range, 'day');
  const ids = await parameterIdsOf(db, pollutants);
  const pollutantOf = new Map([...ids].map(([code, id]) => [id, code as Pollutant]));
  const rows = days.length === 0 ? [] : await aggregatesOf(db, 'day', [...sites.values()], [...ids.values()], new Date(days[0]?.end ?? 0), new Date(days.at(-1)?.end ?? 0));
  const input = new Map<string, DailyConcentrations>();
  for (const r of rows) {
    const key = `${r.siteId}|${r.windowEnd.getTime()}`;
    const values = input.get(key) ?? {};
    input.set(key, values);
    const pollutant = pollutantOf.get(r.parameterId);
    if (pollutant) addDayValue(values, pollutant, r);
  }
  return codes.flatMap((site) => days.map((day) => aqiRow(site, day.label, dailyAqi(editionForDay(day.label), input.get(`${sites.get(site) ?? 0}|${day.end}`) ?? {}), originOf(site))));
}

export interface StatsRow extends Labelled {
  site: string;
  parameter: string;
  /** The hour the window ends (ISO, Beijing time), or the day (YYYY-MM-DD), month (YYYY-MM) or year (YYYY). */
  time: string;
  value: string | null;
  validCount: number;
  valid: boolean;
}

const empty: Statistic = { value: null, validCount: 0, valid: false };
const stored = (r: AggregateRow | undefined): Statistic => (r ? { value: r.value, validCount: r.validCount, valid: r.value !== null } : empty);

export interface StatsParams extends RangeParams {
  parameter?: string | undefined;
  window?: string | undefined;
}

/** Checks a statistics request without touching the database. */
export function checkStatsRequest(params: StatsParams, options: QueryOptions = {}): { codes: string[]; parameter: string; window: StatsWindow; range: QueryRange } {
  const codes = siteCodes(params.site, options.limits ?? defaultQueryLimits);
  const parameter = checkParameter(params.parameter);
  const window = params.window as StatsWindow;
  if (!statsWindows.includes(window)) throw new QueryError(`window must be one of ${statsWindows.join(', ')}`);
  return { codes, parameter, window, range: queryRange(params, options) };
}

export async function statsQuery(db: Kysely<Database>, params: StatsParams, options: QueryOptions = {}): Promise<StatsRow[]> {
  const { codes, parameter, window, range } = checkStatsRequest(params, options);
  const sites = await resolveSites(db, codes);
  const parameterId = (await parameterIdsOf(db, [parameter])).get(parameter);
  const origins = parameterId === undefined ? new Map<string, DataOrigin>() : await seriesOrigins(db, [...sites.values()], originSpan(range));
  const row = (site: string, time: string, s: Statistic): StatsRow => ({ site, parameter, time, value: s.value, validCount: s.validCount, valid: s.valid, ...originFields(origins.get(`${sites.get(site) ?? 0}|${parameterId ?? 0}`)) });

  if (window === '1h') {
    const series = seriesBySite(await hourlyValues(db, codes, [parameter], new Date(range.firstHour - HOUR_MS), new Date(range.lastHour)));
    return codes.flatMap((site) =>
      hourEnds(range).map((t) => {
        const v = series.get(site)?.get(parameter)?.get(t) ?? null;
        return row(site, beijingIso(new Date(t)), v === null ? empty : { value: v, validCount: 1, valid: true });
      }),
    );
  }
  if (window === '8h' || window === '24h') {
    const ends = hourEnds(range);
    const windows = parameterId === undefined || ends.length === 0 ? [] : await aggregatesOf(db, window, [...sites.values()], [parameterId], new Date(range.firstHour), new Date(range.lastHour));
    const byKey = new Map(windows.map((w) => [`${w.siteId}|${w.windowEnd.getTime()}`, w]));
    const tails = parameterId === undefined ? new Map<string, Map<number, Statistic>>() : await tailWindows(db, sites, parameter, parameterId, window, range);
    return codes.flatMap((site) => ends.map((t) => row(site, beijingIso(new Date(t)), tails.get(site)?.get(t) ?? stored(byKey.get(`${sites.get(site) ?? 0}|${t}`)))));
  }
  const list = periods(range, window);
  const windows = parameterId === undefined || list.length === 0 ? [] : await aggregatesOf(db, window, [...sites.values()], [parameterId], new Date(list[0]?.end ?? 0), new Date(list.at(-1)?.end ?? 0));
  const byKey = new Map(windows.map((w) => [`${w.siteId}|${w.windowEnd.getTime()}`, w]));
  return codes.flatMap((site) => list.map((p) => row(site, p.label, stored(byKey.get(`${sites.get(site) ?? 0}|${p.end}`)))));
}

/**
 * Moving windows ending after a series' newest stored hour, which are stored only once later data arrives: computed
 * from the (at most 24) readings before them, by the same GB 3095 Table 4 rules.
 */
async function tailWindows(db: Kysely<Database>, sites: ReadonlyMap<string, number>, parameter: string, parameterId: number, window: '8h' | '24h', range: QueryRange): Promise<Map<string, Map<number, Statistic>>> {
  const span = window === '8h' ? 8 : 24;
  const marks = await seriesWatermarks(db, [...sites.values()], parameterId);
  const tails = new Map<string, Map<number, Statistic>>();
  for (const [site, id] of sites) {
    const mark = marks.get(id);
    if (mark === undefined || range.lastHour <= mark) continue;
    const values = seriesBySite(await hourlyValues(db, [site], [parameter], new Date(mark - span * HOUR_MS), new Date(mark))).get(site)?.get(parameter) ?? new Map<number, string>();
    const computed = new Map<number, Statistic>();
    for (let t = Math.max(range.firstHour, mark + HOUR_MS); t <= range.lastHour && t < mark + span * HOUR_MS; t += HOUR_MS) {
      const hours = Array.from({ length: span }, (_, i) => values.get(t - (span - 1 - i) * HOUR_MS) ?? null);
      computed.set(t, window === '8h' ? eightHourMean(hours, parameter) : dailyMean(hours, parameter));
    }
    tails.set(site, computed);
  }
  return tails;
}
