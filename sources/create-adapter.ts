/** Builds the adapter for a configured source. */
import type { LoadedSource } from '../config/load-config.ts';
import { createCnemcAdapter } from './cnemc-feed.ts';
import { createCsvUrlAdapter } from './csv-url.ts';
import { createHttpJsonAdapter } from './http-json.ts';
import { createOpenaqAdapter } from './openaq.ts';
import { createReplayAdapter } from './replay-csv.ts';
import type { SourceAdapter } from './source-adapter.ts';
import { createWaterSimulator } from './water-simulator.ts';

/** The pull adapter of a scheduled source; null for sources that receive pushed data. */
export function createAdapter(source: LoadedSource): SourceAdapter | null {
  switch (source.kind) {
    case 'replay-csv':
      if (!source.mappingRules) throw new Error(`source ${source.id}: mapping ${source.mapping} was not loaded`);
      return createReplayAdapter({ files: source.files, mappingRules: source.mappingRules, loop: source.loop });
    case 'water-simulator':
      return createWaterSimulator(source);
    case 'http-json':
      return createHttpJsonAdapter({ url: source.url, mapping: source.mapping, pagination: source.pagination, http: httpOptions(source) });
    case 'csv-url':
      if (!source.mappingRules) throw new Error(`source ${source.id}: mapping ${source.mapping} was not loaded`);
      return createCsvUrlAdapter({ url: source.url, mappingRules: source.mappingRules, http: httpOptions(source) });
    case 'cnemc':
      return createCnemcAdapter({ url: source.url, http: httpOptions(source) });
    case 'openaq':
      return createOpenaqAdapter({ baseUrl: source.baseUrl, resource: source.resource, sensors: source.sensors, pageLimit: source.pageLimit, maxPages: source.maxPages, http: httpOptions(source) });
    case 'hj212-listener':
      return null;
  }
}

function httpOptions(source: LoadedSource & { timeoutSeconds: number; readTimeoutSeconds: number; maxBytes: number }) {
  return { timeoutMs: source.timeoutSeconds * 1000, readTimeoutMs: source.readTimeoutSeconds * 1000, maxBytes: source.maxBytes, headers: { ...source.authHeaders } };
}
