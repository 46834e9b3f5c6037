import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { createAdapter } from '../../sources/create-adapter.ts';
import { stretchesFor } from '../../sources/replay-csv.ts';
import type { SourceRecord } from '../../sources/source-adapter.ts';

const root = path.resolve(import.meta.dirname, '../..');
const config = loadConfig({}, root);
const replay = config.sources.find((s) => s.id === 'beijing-replay');
if (!replay) throw new Error('default configuration has no beijing-replay source');

async function collect(records: AsyncIterable<SourceRecord>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

const DAY = 86_400_000;
const loopStart = Date.parse('2016-01-01T00:00:00+08:00');
const loopLength = 366 * DAY;

describe('beijing-replay source', () => {
  it('plays the recorded 2016 rows one loop length later, hour-ending Beijing time', async () => {
    // 2016-03-01 10:00 Beijing is the end of hour 09–10 in the recording; one loop later it is "live".
    const recorded = Date.parse('2016-03-01T10:00:00+08:00');
    const live = recorded + loopLength;
    const records = await collect(createAdapter(replay)!.fetch({ since: new Date(live - 3_600_000), until: new Date(live) }, new AbortController().signal));
    expect(records).toHaveLength(4);
    const dongsi = records.find((r) => r.raw.endsWith('"Dongsi"'));
    // The recorded row for that hour, as it stands in the CSV.
    expect(dongsi?.raw.split(',').slice(1, 5)).toEqual(['2016', '3', '1', '10']);
    const values = Object.fromEntries((dongsi?.readings ?? []).map((r) => [r.parameter, r.value]));
    // Line 1452 of PRSA_Data_Dongsi_2016.csv: 26315,2016,3,1,10,93,99,34,68,2000,20,… (CO in μg/m³, as the file has it).
    expect(values).toEqual({ pm2_5: '93', pm10: '99', so2: '34', no2: '68', co: '2000', o3: '20' });
    expect(dongsi?.readings.every((r) => r.observedAt.getTime() === live && r.unit === 'μg/m³')).toBe(true);
  });

  it('skips NA cells instead of inventing values', async () => {
    const all = await collect(createAdapter(replay)!.fetch({ since: new Date(loopStart + loopLength), until: new Date(loopStart + 2 * loopLength) }, new AbortController().signal));
    // Columns 5–10 are PM2.5, PM10, SO2, NO2, CO, O3: a reading for each cell that is not NA, none for the rest.
    const pollutantCells = (raw: string) => raw.split(',').slice(5, 11);
    const withGaps = all.filter((r) => pollutantCells(r.raw).includes('NA'));
    expect(withGaps.length).toBeGreaterThan(100);
    for (const r of all) expect(r.readings).toHaveLength(pollutantCells(r.raw).filter((c) => c !== 'NA').length);
    // One loop replays every natural day of 2016 (not the 2016-01-01 00:00 row, which closes 2015-12-31);
    // an hour with all six pollutants missing has nothing to replay.
    const expected = replay.kind === 'replay-csv'
      ? replay.files.flatMap((f) => readFileSync(f, 'utf8').trim().split('\n').slice(1))
          .filter((line) => !line.includes(',2016,1,1,0,'))
          .filter((line) => pollutantCells(line).some((c) => c !== 'NA')).length
      : 0;
    expect(expected).toBeGreaterThan(4 * 8600);
    expect(all).toHaveLength(expected);
  });

  it('splits a window that crosses the loop boundary', () => {
    const since = new Date(loopStart + loopLength - 2 * 3_600_000);
    const until = new Date(loopStart + loopLength + 3 * 3_600_000);
    expect(stretchesFor({ since, until }, loopStart, loopLength)).toEqual([
      { from: since.getTime(), to: loopStart + loopLength, shift: 0 },
      { from: loopStart, to: loopStart + 3 * 3_600_000, shift: loopLength },
    ]);
  });
});

describe('water-simulator source', () => {
  const simulator = config.sources.find((s) => s.id === 'water-simulator');
  if (!simulator) throw new Error('default configuration has no water-simulator source');

  it('samples every 4 hours on Beijing-time boundaries and repeats itself exactly', async () => {
    const window = { since: new Date('2026-11-21T16:00:00Z'), until: new Date('2026-11-22T16:00:00Z') };
    const first = await collect(createAdapter(simulator)!.fetch(window, new AbortController().signal));
    const second = await collect(createAdapter(simulator)!.fetch(window, new AbortController().signal));
    expect(second).toEqual(first);
    const times = [...new Set(first.flatMap((r) => r.readings.map((x) => x.observedAt.toISOString())))];
    // 00:00 Beijing = 16:00 UTC; the window's start is excluded, its end included.
    expect(times).toEqual(['2026-11-21T20:00:00.000Z', '2026-11-22T00:00:00.000Z', '2026-11-22T04:00:00.000Z', '2026-11-22T08:00:00.000Z', '2026-11-22T12:00:00.000Z', '2026-11-22T16:00:00.000Z']);
    expect(first.every((r) => (JSON.parse(r.raw) as { simulated?: boolean }).simulated === true)).toBe(true);
  });
});
