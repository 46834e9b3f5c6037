/** Readers for the file formats `envmon import` accepts, each a stream of source records. */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { csvMappingSchema, type CsvMapping } from '../config/schema.ts';
import { readCsvFile } from './csv-file.ts';
import type { SourceRecord } from './source-adapter.ts';

export const fileFormats = ['csv'] as const;
export type FileFormat = (typeof fileFormats)[number];

export interface FileReadOptions {
  /** Column or field mapping file, for formats that need one. */
  mapping?: string;
}

export function readRecordsFromFile(file: string, format: FileFormat, options: FileReadOptions): AsyncIterable<SourceRecord> {
  if (!existsSync(file)) throw new Error(`no such file: ${file}`);
  switch (format) {
    case 'csv':
      return readCsvFile(file, loadCsvMapping(options.mapping));
  }
}

export function loadCsvMapping(file: string | undefined): CsvMapping {
  if (!file) throw new Error('--mapping FILE is required for this format');
  if (!existsSync(file)) throw new Error(`no such mapping file: ${file}`);
  const result = csvMappingSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!result.success) {
    const first = result.error.issues[0];
    throw new Error(`mapping ${file}: ${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'}`);
  }
  return result.data;
}
