/** Readers for the file formats `envmon import` accepts, each a stream of source records. */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { csvMappingSchema, jsonMappingSchema, type CsvMapping } from '../config/schema.ts';
import { mapJsonDocument } from './json-mapping.ts';
import { openaqRecords } from './openaq.ts';
import { cnemcCsvRecords, cnemcJsonRecords } from './cnemc.ts';
import { readCsvFile } from './csv-file.ts';
import { cutLineProblem, readFileLines } from '../lib/file-lines.ts';
import { FrameSplitter } from './hj212/frame-splitter.ts';
import { interpretFrame, type StationLookup } from './hj212/hj212-records.ts';
import { SplitAssembler } from './hj212/split-assembler.ts';
import type { SourceRecord } from './source-adapter.ts';

export const fileFormats = ['csv', 'cnemc', 'hj212', 'json', 'openaq'] as const;
export type FileFormat = (typeof fileFormats)[number];

/** JSON documents are parsed whole; larger ones must be split (CSV files stream and have no limit). */
export const MAX_JSON_FILE_BYTES = 64 * 2 ** 20;

export interface FileReadOptions {
  /** Column or field mapping file, for formats that need one. */
  mapping?: string;
  /** HJ 212: which site each station MN stands for; without it the MN is taken as the site code. */
  stations?: StationLookup;
  /** OpenAQ: the site the file's sensor belongs to (its responses do not name the sensor). */
  site?: string;
  /** The import registers the stations the file describes: refused for formats that describe none. */
  registerSites?: boolean;
}

/**
 * Reads a file as a stream of source records. An option that would do nothing with the format given is refused,
 * so that no flag of `envmon import` is silently ignored.
 */
export function readRecordsFromFile(file: string, format: FileFormat, options: FileReadOptions): AsyncIterable<SourceRecord> {
  if (!existsSync(file)) throw new Error(`no such file: ${file}`);
  if (options.site !== undefined && format !== 'openaq') throw new Error('--site applies only to --format openaq');
  if (options.mapping !== undefined && format !== 'csv' && format !== 'json') throw new Error('--mapping applies only to --format csv and json');
  if (options.registerSites && format !== 'cnemc' && format !== 'csv') {
    throw new Error('--register-sites applies only to formats that describe their stations (cnemc; csv with a mapping that declares site.register)');
  }
  switch (format) {
    case 'csv': {
      const mapping = loadCsvMapping(options.mapping);
      if (options.registerSites && !mapping.site.register) {
        throw new Error(`--register-sites: the mapping ${options.mapping ?? ''} does not declare the kind of site its stations are (site.register: { kind, area })`);
      }
      return readCsvFile(file, mapping);
    }
    case 'cnemc':
      return readCnemcFile(file);
    case 'hj212':
      return readHj212File(file, options.stations ?? ((mn) => ({ site: mn })));
    case 'json': {
      const mapping = loadMappingFile(options.mapping, jsonMappingSchema);
      return fromSync(() => mapJsonDocument(readJsonFile(file), mapping));
    }
    case 'openaq': {
      const site = options.site;
      if (!site) throw new Error('--site CODE is required for OpenAQ files');
      return fromSync(() => openaqRecords(readJsonFile(file), site));
    }
  }
}

async function* fromSync(records: () => Iterable<SourceRecord>): AsyncIterable<SourceRecord> {
  yield* records();
}

/** HJ 212 packets from a capture or log: frames are found wherever they are; text between them is skipped. */
async function* readHj212File(file: string, stations: StationLookup): AsyncIterable<SourceRecord> {
  const splitter = new FrameSplitter(9999);
  const assembler = new SplitAssembler(10_000, Number.MAX_SAFE_INTEGER);
  for await (const chunk of createReadStream(file)) {
    for (const event of splitter.push(chunk as Buffer)) {
      if (event.kind === 'malformed') yield { raw: event.text, readings: [], problem: event.reason };
      if (event.kind !== 'frame') continue;
      const outcome = interpretFrame(event.text, stations, assembler, 0);
      if (outcome.kind === 'record' || outcome.kind === 'rejected') yield outcome.record;
    }
  }
}

async function* readCnemcFile(file: string): AsyncIterable<SourceRecord> {
  const first = await firstCharacter(file);
  if (first === '[' || first === '{') {
    yield* cnemcJsonRecords(readJsonFile(file));
    return;
  }
  const lines: string[] = [];
  // Lines are parsed in blocks so the file streams while the parser stays synchronous.
  let header: string | null = null;
  for await (const line of readFileLines(file)) {
    const cut = cutLineProblem(line);
    if (cut) yield { raw: line, readings: [], problem: cut };
    else if (header === null) header = line;
    else lines.push(line);
    if (header !== null && lines.length >= 1000) yield* cnemcCsvRecords([header, ...lines.splice(0)]);
  }
  if (header !== null) yield* cnemcCsvRecords([header, ...lines]);
}

export function readJsonFile(file: string): unknown {
  const size = statSync(file).size;
  if (size > MAX_JSON_FILE_BYTES) throw new Error(`${file} is ${size} bytes; JSON files larger than ${MAX_JSON_FILE_BYTES} bytes must be split`);
  try {
    return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as unknown;
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

async function firstCharacter(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64), 0, 64, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart().charAt(0);
  } finally {
    await handle.close();
  }
}

export function loadCsvMapping(file: string | undefined): CsvMapping {
  return loadMappingFile(file, csvMappingSchema);
}

function loadMappingFile<S extends z.ZodType>(file: string | undefined, schema: S): z.infer<S> {
  if (!file) throw new Error('--mapping FILE is required for this format');
  if (!existsSync(file)) throw new Error(`no such mapping file: ${file}`);
  const result = schema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!result.success) {
    const first = result.error.issues[0];
    throw new Error(`mapping ${file}: ${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'}`);
  }
  return result.data;
}
