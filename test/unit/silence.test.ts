import { describe, expect, it } from 'vitest';
import { sourceSchema } from '../../config/schema.ts';
import { configuredExpectations, expectedSeries, silentParts } from '../../evaluate/silence.ts';

const at = (h: number) => new Date(Date.UTC(2026, 10, 22, h));
const series = (site: string, parameter: string, latestHour: number | null) => ({ site, parameter, latest: latestHour === null ? null : at(latestHour) });

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

  it('counts a series that never delivered as silent, with no latest time', () => {
    expect(silentParts([series('A', 'ph', 11), series('A', 'nh3_n', null)], now, 300)).toEqual([{ scope: 'site:A|parameter:nh3_n', level: 'parameter', site: 'A', parameter: 'nh3_n', latest: null, series: 1 }]);
    expect(silentParts([series('A', 'ph', null), series('B', 'ph', null)], now, 300)).toEqual([{ scope: 'source', level: 'source', latest: null, series: 2 }]);
    // Part of the source delivered long ago, part never: the whole source is silent, its newest data the latest.
    expect(silentParts([series('A', 'ph', 1), series('B', 'ph', null)], now, 300)).toEqual([{ scope: 'source', level: 'source', latest: at(1), series: 2 }]);
  });
});

describe('what a source is expected to deliver', () => {
  const source = (extra: Record<string, unknown>) => sourceSchema.parse({ id: 'x', name: 'x', schedule: '*/5 * * * *', ...extra });

  it('takes the series of a simulator, the sites of an HJ 212 listener or OpenAQ sensors, and any other source as a whole', () => {
    const level = { mean: 1, spread: 0, decimals: 1 };
    expect(configuredExpectations(source({ kind: 'water-simulator', sites: [{ site: 'A', levels: { ph: level, do: level } }, { site: 'B', levels: { ph: level } }] }))).toEqual([
      { site: 'A', parameter: 'ph' },
      { site: 'A', parameter: 'do' },
      { site: 'B', parameter: 'ph' },
    ]);
    const station = (mn: string, site: string) => ({ mn, site, passwordEnv: 'PW' });
    expect(configuredExpectations(sourceSchema.parse({ id: 'l', name: 'l', kind: 'hj212-listener', port: 0, stations: [station('1', 'A'), station('2', 'A'), station('3', 'B')] }))).toEqual([
      { site: 'A', parameter: null },
      { site: 'B', parameter: null },
    ]);
    expect(configuredExpectations(source({ kind: 'openaq', apiKeyEnv: 'KEY', sensors: [{ id: 1, site: 'A' }, { id: 2, site: 'A' }] }))).toEqual([{ site: 'A', parameter: null }]);
    expect(configuredExpectations(source({ kind: 'csv-url', url: 'https://example.org/x.csv', mapping: 'm.yaml' }))).toEqual([{ site: null, parameter: null }]);
    expect(configuredExpectations(undefined)).toEqual([{ site: null, parameter: null }]);
  });

  it('adds what is expected and was never delivered to what was delivered, ever', () => {
    const delivered = [{ site: 'A', parameter: 'ph', latest: at(3) }];
    expect(expectedSeries([{ site: 'A', parameter: 'ph' }, { site: 'A', parameter: 'do' }, { site: 'B', parameter: null }, { site: null, parameter: null }], delivered)).toEqual([
      { site: 'A', parameter: 'ph', latest: at(3) },
      { site: 'A', parameter: 'do', latest: null },
      { site: 'B', parameter: null, latest: null },
    ]);
    // A source expected as a whole that never delivered anything.
    expect(expectedSeries([{ site: null, parameter: null }], [])).toEqual([{ site: null, parameter: null, latest: null }]);
    // A site expected as a whole is satisfied by any series of it.
    expect(expectedSeries([{ site: 'A', parameter: null }], delivered)).toEqual(delivered);
  });

  it('no longer expects what a source that names its sites delivered for a site (or series) its configuration dropped', () => {
    const delivered = [
      { site: 'A', parameter: 'ph', latest: at(3) },
      { site: 'A', parameter: 'do', latest: at(3) },
      { site: 'B', parameter: 'ph', latest: at(1) },
    ];
    // An HJ 212 listener whose station of site B was removed.
    expect(expectedSeries([{ site: 'A', parameter: null }], delivered)).toEqual(delivered.slice(0, 2));
    // A simulator that no longer simulates DO at A.
    expect(expectedSeries([{ site: 'A', parameter: 'ph' }, { site: 'B', parameter: 'ph' }], delivered)).toEqual([delivered[0], delivered[2]]);
    // A source expected as a whole keeps expecting all it ever delivered.
    expect(expectedSeries([{ site: null, parameter: null }], delivered)).toEqual(delivered);
  });
});
