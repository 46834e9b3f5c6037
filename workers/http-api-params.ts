/**
 * What the HTTP API accepts, checked before the database is asked anything: only the parameters a route knows, each
 * once, and bounded work per request (sites per request, length of the time range). The queries check the meaning
 * of each value (known sites, window names, times) and answer 400 themselves.
 */
import { BEIJING_OFFSET_MS, DAY_MS } from '../lib/time.ts';

export const API_LIMITS = {
  /** Sites one request may ask for. */
  maxSites: 10,
  /** Longest range for hourly rows (hourly AQI, 1-h, 8-h and 24-h statistics): 744 rows per site. */
  maxHourlyRangeDays: 31,
  /** Longest range for daily, monthly or annual rows. */
  maxDailyRangeDays: 366,
} as const;

const routeParameters: Record<string, readonly string[]> = {
  '/api/aqi': ['site', 'from', 'to', 'daily'],
  '/api/stats': ['site', 'parameter', 'window', 'from', 'to'],
  '/api/alerts': ['all'],
  '/api/targets': ['year', 'asOf', 'all'],
};

export const apiRoutes = Object.keys(routeParameters);

const FLAG = /^(1|true|0|false)$/;
const HOURLY_WINDOWS = new Set(['1h', '8h', '24h']);

/** The reason a request to an API route is refused (answered 400), or null when it may go ahead. */
export function apiParameterProblem(route: string, query: URLSearchParams): string | null {
  const known = routeParameters[route] ?? [];
  const names = [...query.keys()];
  const unknown = names.find((n) => !known.includes(n));
  if (unknown !== undefined) return `unknown parameter ${JSON.stringify(unknown)} (${route} takes ${known.join(', ')})`;
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) return `parameter ${JSON.stringify(repeated)} given more than once`;
  for (const flag of ['daily', 'all']) {
    const value = query.get(flag);
    if (value !== null && !FLAG.test(value)) return `${flag} must be 1 or true (or 0 or false)`;
  }

  const site = query.get('site');
  if (site !== null) {
    const count = site.split(',').filter((s) => s.trim() !== '').length;
    if (count > API_LIMITS.maxSites) return `at most ${API_LIMITS.maxSites} sites per request (got ${count})`;
  }

  const from = parseTime(query.get('from'));
  const to = parseTime(query.get('to'));
  // Unreadable or missing times are the query's to explain; only a readable range is measured here.
  if (from === null || to === null) return null;
  const hourly = route === '/api/aqi' ? !isTrue(query.get('daily')) : route === '/api/stats' && HOURLY_WINDOWS.has(query.get('window') ?? '');
  const days = hourly ? API_LIMITS.maxHourlyRangeDays : API_LIMITS.maxDailyRangeDays;
  if (to - from > days * DAY_MS) {
    return hourly
      ? `from and to may be at most ${days} days apart for hourly rows; ask for a shorter range or for daily values`
      : `from and to may be at most ${days} days apart; ask for a shorter range`;
  }
  return null;
}

function isTrue(flag: string | null): boolean {
  return flag === '1' || flag === 'true';
}

/** Milliseconds since the epoch; a date-time without a zone is Beijing time, as everywhere in envmon. */
function parseTime(text: string | null): number | null {
  if (!text) return null;
  const zoneless = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(text);
  const ms = zoneless ? Date.parse(text.length === 10 ? `${text}T00:00:00Z` : `${text}Z`) - BEIJING_OFFSET_MS : Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
