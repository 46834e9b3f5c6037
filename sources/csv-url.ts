/** A CSV export over HTTP read with a column mapping; rows outside the window are left out. */
import type { CsvMapping } from '../config/schema.ts';
import { fetchBounded, type BoundedFetchOptions } from '../lib/http-fetch.ts';
import { createCsvRowMapper } from './csv-mapping.ts';
import { fillTemplate } from './http-json.ts';
import type { FetchWindow, SourceAdapter, SourceRecord } from './source-adapter.ts';

export function createCsvUrlAdapter(settings: { url: string; mappingRules: CsvMapping; http: Omit<BoundedFetchOptions, 'signal'> }): SourceAdapter {
  return {
    async *fetch(window: FetchWindow, signal: AbortSignal): AsyncIterable<SourceRecord> {
      const url = fillTemplate(settings.url, { since: window.since.toISOString(), until: window.until.toISOString() });
      const response = await fetchBounded(url, { ...settings.http, signal });
      const lines = response.body.toString('utf8').split(/\r?\n/);
      const header = lines.shift();
      if (header === undefined) return;
      const mapper = createCsvRowMapper(header, settings.mappingRules);
      for (const line of lines) {
        if (line.trim() === '') continue;
        const record = mapper.map(line);
        const time = record.readings[0]?.observedAt;
        if (record.problem || (time && time > window.since && time <= window.until)) yield record;
      }
    },
  };
}
