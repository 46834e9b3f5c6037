/** The national platform's real-time feed over HTTP: CSV or JSON (told apart by content), filtered to the window. */
import { fetchBounded, type BoundedFetchOptions } from '../lib/http-fetch.ts';
import { cnemcCsvRecords, cnemcJsonRecords } from './cnemc.ts';
import { fillTemplate } from './http-json.ts';
import type { FetchWindow, SourceAdapter, SourceRecord } from './source-adapter.ts';

export function createCnemcAdapter(settings: { url: string; http: Omit<BoundedFetchOptions, 'signal'> }): SourceAdapter {
  return {
    async *fetch(window: FetchWindow, signal: AbortSignal): AsyncIterable<SourceRecord> {
      const url = fillTemplate(settings.url, { since: window.since.toISOString(), until: window.until.toISOString() });
      const text = (await fetchBounded(url, { ...settings.http, signal })).body.toString('utf8').replace(/^\uFEFF/, '');
      const first = text.trimStart().charAt(0);
      const records = first === '[' || first === '{' ? cnemcJsonRecords(JSON.parse(text) as unknown) : cnemcCsvRecords(text.split(/\r?\n/));
      for (const record of records) {
        const time = record.readings[0]?.observedAt;
        if (record.problem || !time || (time > window.since && time <= window.until)) yield record;
      }
    },
  };
}
