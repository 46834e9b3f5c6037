/**
 * What the HTTP API accepts, checked before the database is asked anything: only the parameters a route knows, each
 * once, and bounded work per request (sites per request, length of the time range). The queries check the meaning
 * of each value (known sites, window names, times) and answer 400 themselves.
 */
import type { QueryLimits } from '../queries/air-queries.ts';
import { DAY_MS } from '../lib/time.ts';
import { parseTimeInput } from '../lib/time-input.ts';
import { endOfNaturalDay } from '../standards/natural-day.ts';

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
  '/api/assess': ['site', 'area', 'from', 'to'],
  '/api/rank': ['by', 'from', 'to', 'areas'],
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
  if ((route === '/api/assess' || route === '/api/rank') && (query.get('from') === null || query.get('to') === null)) return 'from and to are required (dates YYYY-MM-DD, both inclusive)';
  if (route === '/api/assess' && query.get('site') !== null && query.get('area') !== null) return 'give site or area, not both';
  for (const flag of ['daily', 'all', 'areas']) {
    const value = query.get(flag);
    if (value !== null && !FLAG.test(value)) return `${flag} must be 1 or true (or 0 or false)`;
  }

  const site = query.get('site');
  if (site !== null) {
    const count = site.split(',').filter((s) => s.trim() !== '').length;
    if (count > API_LIMITS.maxSites) return `at most ${API_LIMITS.maxSites} sites per request (got ${count})`;
  }

  const from = instantOf(query.get('from'), false);
  const to = instantOf(query.get('to'), true);
  // Unreadable or missing times are the query's to explain; only a readable range is measured here.
  if (from === null || to === null) return null;
  const hourly = isHourly(route, query);
  const days = apiQueryLimits(route, query).maxRangeDays;
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

/**
 * An instant as the queries read it (lib/time-input.ts): a time without a zone is Beijing time, a date alone its
 * whole natural day (to its 24:00 when it ends the range). Unreadable: null, for the query to explain.
 */
function instantOf(text: string | null, end: boolean): number | null {
  if (text === null) return null;
  const parsed = parseTimeInput(text);
  if ('error' in parsed) return null;
  return end && parsed.date ? endOfNaturalDay(parsed.date).getTime() : parsed.instant.getTime();
}

/** The limits a request to a route is held to, given to the query too (it checks the range it actually reads). */
export function apiQueryLimits(route: string, query: URLSearchParams): QueryLimits {
  return { maxSites: API_LIMITS.maxSites, maxRangeDays: isHourly(route, query) ? API_LIMITS.maxHourlyRangeDays : API_LIMITS.maxDailyRangeDays };
}

function isHourly(route: string, query: URLSearchParams): boolean {
  return route === '/api/aqi' ? !isTrue(query.get('daily')) : route === '/api/stats' && HOURLY_WINDOWS.has(query.get('window') ?? '');
}
