import { describe, expect, it } from 'vitest';
import { silentParts } from '../../evaluate/silence.ts';

const at = (h: number) => new Date(Date.UTC(2026, 10, 22, h));
const series = (site: string, parameter: string, latestHour: number) => ({ site, parameter, latest: at(latestHour) });

describe('silence grouping', () => {
  const now = at(12);
  it('reports a wholly silent source once', () => {
    expect(silentParts([series('A', 'ph', 4), series('A', 'do', 4), series('B', 'ph', 3)], now, 300)).toEqual([{ scope: 'source', level: 'source', latest: at(4), series: 3 }]);
  });

  it('reports a silent site once, and single silent parameters of live sites', () => {
    expect(silentParts([series('A', 'ph', 4), series('A', 'do', 4), series('B', 'ph', 11), series('B', 'do', 2)], now, 300)).toEqual([
      { scope: 'site:A', level: 'site', site: 'A', latest: at(4), series: 2 },
      { scope: 'site:B|parameter:do', level: 'parameter', site: 'B', parameter: 'do', latest: at(2), series: 1 },
    ]);
  });

  it('reports nothing while data flows', () => {
    expect(silentParts([series('A', 'ph', 10)], now, 300)).toEqual([]);
    // Silent from afterMinutes on: the 07:00 value is exactly 300 minutes old at 12:00, 08:00 only 240.
    expect(silentParts([series('A', 'ph', 7), series('A', 'do', 8)], now, 300)).toEqual([
      { scope: 'site:A|parameter:ph', level: 'parameter', site: 'A', parameter: 'ph', latest: at(7), series: 1 },
    ]);
  });
});
