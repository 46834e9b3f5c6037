/**
 * GB 3095 concentration limits (Table 1, basic items) by the time of the data: GB 3095-2012 for data up to
 * 2026-02-28 24:00 Beijing time, GB 3095-2026 afterwards — its transition limits until 2030-12-31 and its final
 * limits from 2031-01-01 (GB 3095-2026 §4.4).
 */
import gb3095_2012 from './data/gb3095-2012.json' with { type: 'json' };
import gb3095_2026 from './data/gb3095-2026-hj633-2026.json' with { type: 'json' };

export type LimitWindow = '1h' | '8h' | '24h' | 'day';

export interface AirLimit {
  limit: number;
  unit: string;
  edition: 'GB 3095-2012' | 'GB 3095-2026';
  /** Where the figure comes from, as shown to readers. */
  clause: string;
}

const pollutantNames: Record<string, string> = { pm2_5: 'PM2.5', pm10: 'PM10', so2: 'SO2', no2: 'NO2', co: 'CO', o3: 'O3' };
const periodNamesZh: Record<string, string> = { '1h': '1小时平均', daily: '24小时平均', '24h': '24小时平均', dailyMax8h: '日最大8小时平均' };

/** Windows ending after these instants fall under the newer limits (hour-ending: 24:00 closes the day before). */
const EDITION_2026_AFTER = Date.parse('2026-02-28T16:00:00Z');
const FINAL_LIMITS_AFTER = Date.parse('2030-12-31T16:00:00Z');

export function gb3095Limit(parameter: string, window: LimitWindow, grade: 1 | 2, at: Date): AirLimit | null {
  const pollutant = pollutantNames[parameter];
  if (!pollutant) return null;
  // An 8-hour O3 mean and the O3 day value (the daily maximum 8-hour mean) both meet the dailyMax8h limit.
  const period = window === '1h' ? '1h' : parameter === 'o3' ? (window === '8h' || window === 'day' ? 'dailyMax8h' : null) : window === '8h' ? null : 'daily';
  if (period === null) return null;
  const gradeKey = grade === 1 ? 'grade1' : 'grade2';
  const gradeZh = grade === 1 ? '一级' : '二级';
  if (at.getTime() <= EDITION_2026_AFTER) {
    const entry = gb3095_2012.limits.find((l) => l.pollutant === pollutant);
    const value = entry?.values.find((v) => v.period === (period === 'daily' ? '24h' : period));
    if (!entry || !value) return null;
    return { limit: value[gradeKey], unit: entry.unit, edition: 'GB 3095-2012', clause: `GB 3095-2012 表1 ${gradeZh} ${pollutant} ${periodNamesZh[period] ?? period} ${value[gradeKey]} ${entry.unit}` };
  }
  const phase = at.getTime() <= FINAL_LIMITS_AFTER ? 'transition' : 'final';
  const entry = gb3095_2026.gb3095_2026.table1Basic.find((l) => l.pollutant === pollutant);
  const value = entry?.values.find((v) => v.period === period);
  if (!entry || !value) return null;
  const limit = value[phase][gradeKey];
  return { limit, unit: entry.unit, edition: 'GB 3095-2026', clause: `GB 3095-2026 表1 ${gradeZh}${phase === 'transition' ? '（过渡期）' : ''} ${pollutant} ${periodNamesZh[period] ?? period} ${limit} ${entry.unit}` };
}
