/**
 * Replays recorded CSV data as if it were arriving live: the recording's loop (start, start + days] is laid end
 * to end along the time axis, so any live window maps onto one or more stretches of the recording, shifted by a
 * whole number of loop lengths. Files are streamed line by line, never loaded whole.
 */
import type { CsvMapping } from '../config/schema.ts';
import { DAY_MS } from '../lib/time.ts';
import { readCsvFile } from './csv-file.ts';
import type { FetchWindow, SourceAdapter, SourceRecord } from './source-adapter.ts';

export interface ReplaySettings {
  readonly files: readonly string[];
  readonly mappingRules: CsvMapping;
  readonly loop: { readonly start: string; readonly days: number };
}

interface Stretch {
  /** Recording times in (from, to] … */
  readonly from: number;
  readonly to: number;
  /** … are shown at recording time + shift. */
  readonly shift: number;
}

export function createReplayAdapter(settings: ReplaySettings): SourceAdapter {
  const loopStart = Date.parse(settings.loop.start);
  const loopLength = settings.loop.days * DAY_MS;

  return {
    async *fetch(window: FetchWindow, signal: AbortSignal): AsyncIterable<SourceRecord> {
      const stretches = stretchesFor(window, loopStart, loopLength);
      for (const file of settings.files) {
        for await (const record of readCsvFile(file, settings.mappingRules, signal)) {
          if (record.problem) {
            yield record;
            continue;
          }
          const recorded = record.readings[0]?.observedAt.getTime();
          if (recorded === undefined) continue;
          for (const s of stretches) {
            if (recorded > s.from && recorded <= s.to) {
              yield { raw: record.raw, readings: record.readings.map((r) => ({ ...r, observedAt: new Date(r.observedAt.getTime() + s.shift) })) };
            }
          }
        }
      }
    },
  };
}

/** The stretches of the recording that cover a live window. */
export function stretchesFor(window: FetchWindow, loopStart: number, loopLength: number): Stretch[] {
  const since = window.since.getTime();
  const until = window.until.getTime();
  const stretches: Stretch[] = [];
  for (let k = Math.floor((since - loopStart) / loopLength); loopStart + k * loopLength < until; k++) {
    const shift = k * loopLength;
    const from = Math.max(since - shift, loopStart);
    const to = Math.min(until - shift, loopStart + loopLength);
    if (from < to) stretches.push({ from, to, shift });
  }
  return stretches;
}
