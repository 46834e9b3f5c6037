/** What the HTTP API accepts before it asks the database anything: known parameters, few sites, bounded ranges. */
import { describe, expect, it } from 'vitest';
import { API_LIMITS, apiParameterProblem } from '../../workers/http-api-params.ts';

const problem = (path: string, query: string) => apiParameterProblem(path, new URLSearchParams(query));
const sites = (n: number) => Array.from({ length: n }, (_, i) => `S${i + 1}`).join(',');

describe('HTTP API parameters', () => {
  it('limit a request to 10 sites', () => {
    expect(API_LIMITS.maxSites).toBe(10);
    expect(problem('/api/aqi', `site=${sites(10)}&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z`)).toBeNull();
    expect(problem('/api/aqi', `site=${sites(11)}&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z`)).toBe('at most 10 sites per request (got 11)');
    expect(problem('/api/stats', `site=${sites(11)}&parameter=pm2_5&window=day&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z`)).toBe('at most 10 sites per request (got 11)');
  });

  it('limit hourly rows to 31 days and daily, monthly or annual rows to 366 days', () => {
    // 2026-11-01 → 2026-12-02 is 30 + 1 = 31 days.
    expect(problem('/api/aqi', 'site=A&from=2026-11-01T00:00:00Z&to=2026-12-02T00:00:00Z')).toBeNull();
    expect(problem('/api/aqi', 'site=A&from=2026-11-01T00:00:00Z&to=2026-12-02T00:00:01Z')).toBe('from and to may be at most 31 days apart for hourly rows; ask for a shorter range or for daily values');
    expect(problem('/api/stats', 'site=A&parameter=pm2_5&window=8h&from=2026-11-01T00:00:00Z&to=2026-12-03T00:00:00Z')).toBe('from and to may be at most 31 days apart for hourly rows; ask for a shorter range or for daily values');
    // 2024 is a leap year: 2024-01-01 → 2025-01-01 is 366 days.
    expect(problem('/api/aqi', 'site=A&daily=1&from=2024-01-01T00:00:00Z&to=2025-01-01T00:00:00Z')).toBeNull();
    expect(problem('/api/stats', 'site=A&parameter=pm2_5&window=day&from=2024-01-01T00:00:00Z&to=2025-01-01T00:00:00Z')).toBeNull();
    expect(problem('/api/stats', 'site=A&parameter=pm2_5&window=month&from=2024-01-01T00:00:00Z&to=2025-01-02T00:00:00Z')).toBe('from and to may be at most 366 days apart; ask for a shorter range');
    expect(problem('/api/aqi', 'site=A&daily=true&from=2024-01-01T00:00:00Z&to=2025-01-01T01:00:00Z')).toBe('from and to may be at most 366 days apart; ask for a shorter range');
  });

  it('read times as the queries do: spaces around them, and a date alone as its whole natural day', () => {
    // A year of hourly rows asked with a space before the date: the queries trim it, so the limit must see it too.
    expect(problem('/api/aqi', 'site=A&from=%202025-01-01T00:00&to=2025-12-31T00:00')).toBe('from and to may be at most 31 days apart for hourly rows; ask for a shorter range or for daily values');
    // 2026-11-01 (from 00:00) to the date 2026-12-01 (to its 24:00) is 31 days; to the date 2026-12-02, 32.
    expect(problem('/api/aqi', 'site=A&from=2026-11-01&to=2026-12-01')).toBeNull();
    expect(problem('/api/aqi', 'site=A&from=2026-11-01&to=2026-12-02')).toBe('from and to may be at most 31 days apart for hourly rows; ask for a shorter range or for daily values');
  });

  it('read a time without a zone as Beijing time when measuring the range', () => {
    // 2026-11-01T08:00 Beijing is 2026-11-01T00:00Z; to 2026-12-02T00:00:01Z is 31 days and a second.
    expect(problem('/api/aqi', 'site=A&from=2026-11-01T08:00&to=2026-12-02T00:00:01Z')).toBe('from and to may be at most 31 days apart for hourly rows; ask for a shorter range or for daily values');
    expect(problem('/api/aqi', 'site=A&from=2026-11-01T08:00&to=2026-12-02T00:00:00Z')).toBeNull();
  });

  it('refuse unknown, repeated and malformed parameters', () => {
    expect(problem('/api/aqi', 'sites=A&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z')).toBe('unknown parameter "sites" (/api/aqi takes site, from, to, daily)');
    expect(problem('/api/aqi', 'site=A&site=B&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z')).toBe('parameter "site" given more than once');
    expect(problem('/api/aqi', 'site=A&daily=yes&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z')).toBe('daily must be 1 or true (or 0 or false)');
    expect(problem('/api/alerts', 'all=1')).toBeNull();
    expect(problem('/api/alerts', 'limit=5')).toBe('unknown parameter "limit" (/api/alerts takes all)');
    expect(problem('/api/targets', 'year=2025&asOf=2025-06-30&all=0')).toBeNull();
  });
});
