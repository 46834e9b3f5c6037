/**
 * OpenAQ API v3: `/v3/sensors/{id}/measurements` (values as reported) or `/v3/sensors/{id}/hours` (hourly means),
 * with `datetime_from`, `datetime_to`, `limit` and `page`, authenticated by the `X-API-Key` header. Each result
 * carries `value`, `parameter {name, units}`, `period {interval, datetimeFrom, datetimeTo}` and `flagInfo
 * {hasFlags}`. The stored time is `period.datetimeTo.utc`, the end of the averaging interval. A value OpenAQ
 * flags is kept with flag `Q` (questionable) and, like every flag but N, never counts in evaluation. Units are
 * taken as OpenAQ states them; ppm and ppb are refused downstream, as their conversion needs temperature and
 * pressure.
 */
import { fetchBounded, type BoundedFetchOptions } from '../lib/http-fetch.ts';
import type { AveragingPeriod, FetchWindow, RawReading, SourceAdapter, SourceRecord } from './source-adapter.ts';

/** OpenAQ parameter names → envmon parameter codes. */
const parameters: Record<string, string> = { pm25: 'pm2_5', pm10: 'pm10', so2: 'so2', no2: 'no2', co: 'co', o3: 'o3', temperature: 'air_temp', relativehumidity: 'humidity' };

export interface OpenaqSettings {
  baseUrl: string;
  resource: 'measurements' | 'hours';
  sensors: readonly { id: number; site: string }[];
  pageLimit: number;
  maxPages: number;
  http: Omit<BoundedFetchOptions, 'signal'>;
}

export function createOpenaqAdapter(settings: OpenaqSettings): SourceAdapter {
  return {
    async *fetch(window: FetchWindow, signal: AbortSignal): AsyncIterable<SourceRecord> {
      for (const sensor of settings.sensors) {
        for (let page = 1; page <= settings.maxPages; page++) {
          const url = new URL(`/v3/sensors/${sensor.id}/${settings.resource}`, settings.baseUrl);
          url.searchParams.set('datetime_from', window.since.toISOString());
          url.searchParams.set('datetime_to', window.until.toISOString());
          url.searchParams.set('limit', String(settings.pageLimit));
          url.searchParams.set('page', String(page));
          const response = await fetchBounded(url.href, { ...settings.http, signal });
          const records = openaqRecords(JSON.parse(response.body.toString('utf8')) as unknown, sensor.site);
          // Interval ends outside the window (the API filters on the start) are left for the next pull.
          yield* records.filter((r) => r.problem || r.readings.every((x) => x.observedAt > window.since && x.observedAt <= window.until));
          if (records.length < settings.pageLimit) break;
        }
      }
    },
  };
}

/** The results of one OpenAQ v3 measurements response, for one sensor's site. */
export function openaqRecords(document: unknown, site: string): SourceRecord[] {
  const results = isObject(document) && Array.isArray(document.results) ? (document.results as unknown[]) : null;
  if (!results) throw new Error('not an OpenAQ v3 response: no results array');
  return results.map((result): SourceRecord => {
    const raw = JSON.stringify(result);
    if (!isObject(result)) return { raw, readings: [], problem: 'result is not an object' };
    const parameter = isObject(result.parameter) ? result.parameter : {};
    const period = isObject(result.period) ? result.period : {};
    const to = isObject(period.datetimeTo) ? period.datetimeTo.utc : undefined;
    const name = typeof parameter.name === 'string' ? parameter.name : '';
    const observedAt = typeof to === 'string' ? new Date(to) : null;
    if (!observedAt || Number.isNaN(observedAt.getTime())) return { raw, readings: [], problem: 'no period.datetimeTo.utc' };
    if (typeof result.value !== 'number' || !Number.isFinite(result.value)) return { raw, readings: [], problem: 'value is not a number' };
    const flagged = isObject(result.flagInfo) && result.flagInfo.hasFlags === true;
    const reading: RawReading = {
      site,
      parameter: parameters[name] ?? name,
      period: periodOf(typeof period.interval === 'string' ? period.interval : ''),
      observedAt,
      value: String(result.value),
      unit: typeof parameter.units === 'string' ? parameter.units : '',
      flag: flagged ? 'Q' : 'N',
    };
    return { raw, readings: [reading] };
  });
}

/** `HH:MM:SS` → the averaging period: a day for 24 h, an hour for 1 h, minutes below. */
function periodOf(interval: string): AveragingPeriod {
  const m = /^(\d+):(\d{2}):(\d{2})$/.exec(interval);
  const hours = m ? Number(m[1]) : 1;
  return hours >= 24 ? 'day' : hours >= 1 ? 'hour' : 'minute';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
