/** Streams a CSV file through a column mapping, one source record per row; never loads the file whole. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { CsvMapping } from '../config/schema.ts';
import { createCsvRowMapper, type CsvRowMapper } from './csv-mapping.ts';
import type { SourceRecord } from './source-adapter.ts';

export async function* readCsvFile(file: string, mapping: CsvMapping, signal?: AbortSignal): AsyncIterable<SourceRecord> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8', ...(signal ? { signal } : {}) }), crlfDelay: Infinity });
  let mapper: CsvRowMapper | null = null;
  for await (const line of lines) {
    if (mapper === null) {
      try {
        mapper = createCsvRowMapper(line, mapping);
      } catch (error) {
        throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      continue;
    }
    if (line.trim() !== '') yield mapper.map(line);
  }
}
