/**
 * A JSON feed over HTTP, read with a declarative mapping. The URL template receives the window ({since},
 * {until}, {limit}); pages follow by time cursor — the next request starts after the latest time of the previous
 * page — until a page comes back short, stops advancing, or `maxPages` is reached.
 */
import type { JsonMapping } from '../config/schema.ts';
import { fetchBounded, type BoundedFetchOptions } from '../lib/http-fetch.ts';
import { latestTime, mapJsonDocument } from './json-mapping.ts';
import type { FetchWindow, SourceAdapter, SourceRecord } from './source-adapter.ts';

export interface HttpJsonSettings {
  url: string;
  mapping: JsonMapping;
  pagination: { limit: number; maxPages: number };
  http: Omit<BoundedFetchOptions, 'signal'>;
}

export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? encodeURIComponent(values[key] ?? '') : whole));
}

export function createHttpJsonAdapter(settings: HttpJsonSettings): SourceAdapter {
  return {
    async *fetch(window: FetchWindow, signal: AbortSignal): AsyncIterable<SourceRecord> {
      let since = window.since.getTime();
      for (let page = 0; page < settings.pagination.maxPages; page++) {
        const url = fillTemplate(settings.url, { since: new Date(since).toISOString(), until: window.until.toISOString(), limit: String(settings.pagination.limit) });
        const response = await fetchBounded(url, { ...settings.http, signal });
        let document: unknown;
        try {
          document = JSON.parse(response.body.toString('utf8')) as unknown;
        } catch {
          throw new Error(`${new URL(url).host}: the response is not JSON`);
        }
        const records = [...mapJsonDocument(document, settings.mapping)];
        yield* records;
        const latest = latestTime(records);
        if (records.length < settings.pagination.limit || !(latest > since) || latest >= window.until.getTime()) return;
        since = latest;
      }
    },
  };
}
