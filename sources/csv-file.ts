/**
 * Streams a CSV file through a column mapping, one source record per row; never loads the file whole. Lines keep
 * every byte (NUL, bytes that are not UTF-8) so a damaged row is quarantined as it was.
 */
import type { CsvMapping } from '../config/schema.ts';
import { cutLineProblem, readFileLines } from '../lib/file-lines.ts';
import { createCsvRowMapper, type CsvRowMapper } from './csv-mapping.ts';
import type { SourceRecord } from './source-adapter.ts';

export async function* readCsvFile(file: string, mapping: CsvMapping, signal?: AbortSignal): AsyncIterable<SourceRecord> {
  let mapper: CsvRowMapper | null = null;
  for await (const line of readFileLines(file, signal)) {
    if (mapper === null) {
      try {
        mapper = createCsvRowMapper(line, mapping);
      } catch (error) {
        throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      continue;
    }
    const cut = cutLineProblem(line);
    if (cut) yield { raw: line, readings: [], problem: cut };
    else if (line.trim() !== '') yield mapper.map(line);
  }
}
