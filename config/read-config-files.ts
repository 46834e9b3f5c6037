/**
 * The configuration files: read, checked against the schema and against each other. What this gives depends on the
 * files alone, never on the environment, except the credentials that `resolveSource` adds to each source; so a
 * check of valid files can be kept (config/config-cache.ts) and only the environment checked again.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { checkReferences, type ConfigItems, type Origin, type UncheckedIds } from './check-references.ts';
import type { ConfigProblem } from './config-error.ts';
import { fileSystem, type FileAccess } from './file-access.ts';
import type { LoadedSource } from './load-config.ts';
import { parseFile, type Section } from './parse-config-file.ts';
import { csvMappingSchema, fileConfigSchema, type CsvMapping, type FileConfig, type RecipientConfig, type SourceConfig } from './schema.ts';
import { didYouMean } from '../lib/near-miss.ts';
import { parameterCatalogue } from '../standards/parameters.ts';
import { zodProblems } from './zod-problems.ts';

/** What the configuration files hold once checked: plain data, with where each source and recipient is written. */
export interface ConfigFiles {
  readonly sites: FileConfig['sites'];
  /** As the files give them, with their files resolved: no credential from the environment yet. */
  readonly sources: readonly { readonly source: LoadedSource; readonly origin: Origin }[];
  readonly targets: FileConfig['targets'];
  readonly rules: FileConfig['rules'];
  readonly maintenance: FileConfig['maintenance'];
  readonly recipients: readonly { readonly recipient: RecipientConfig; readonly origin: Origin }[];
  readonly dustDays: FileConfig['dustDays'];
  /** The last file's section, or the defaults. */
  readonly notifications: FileConfig['notifications'];
  readonly queues: FileConfig['queues'];
  readonly console: FileConfig['console'];
  readonly retention: FileConfig['retention'];
}

export interface ReadConfigFiles {
  readonly files: ConfigFiles;
  /** The sources as `resolveSource` returned them, in the same order. */
  readonly sources: readonly LoadedSource[];
}

/**
 * Reads the files named (relative to `cwd`) and adds their problems to `problems`. `resolveSource` adds a source's
 * credentials: called in file order, so that its problems stand beside the file problems of the same source.
 */
export function readConfigFiles(
  files: readonly string[],
  cwd: string,
  problems: ConfigProblem[],
  resolveSource: (source: LoadedSource, origin: Origin) => LoadedSource,
  access: FileAccess = fileSystem,
): ReadConfigFiles {
  const merged: ConfigItems & { sources: LoadedSource[]; notifications?: FileConfig['notifications']; queues?: FileConfig['queues']; console?: FileConfig['console']; retention?: FileConfig['retention'] } = {
    sites: [],
    sources: [],
    targets: [],
    rules: [],
    maintenance: [],
    recipients: [],
    dustDays: [],
  };
  const fromFiles: { source: LoadedSource; origin: Origin }[] = [];
  const recipients: { recipient: RecipientConfig; origin: Origin }[] = [];
  const unchecked: UncheckedIds = { sites: new Set(), sources: new Set(), targets: new Set(), rules: new Set(), recipients: new Set() };
  const origins = new Map<object, Origin>();
  const mappings = new Map<string, CsvMapping | undefined>();
  const reader: Reader = { access, cwd, problems, mappings };

  for (const file of files) {
    const absolute = path.resolve(cwd, file);
    const shown = path.relative(cwd, absolute) || file;
    const raw = readStructuredFile(reader, absolute, shown);
    if (raw === undefined) continue;
    const data = parseFile(shown, raw, problems, unchecked);
    if (!data) continue;
    const dir = path.dirname(absolute);
    for (const [section, list] of Object.entries(data.sections) as [Section, { item: object; index: number }[]][]) {
      for (const { item, index } of list) {
        const where = { file: shown, path: `${section}[${index}]` };
        if (section === 'sources') {
          const source = resolveSourceFiles(reader, item as SourceConfig, dir, where);
          fromFiles.push({ source, origin: where });
          const loaded = resolveSource(source, where);
          origins.set(loaded, where);
          merged.sources.push(loaded);
          continue;
        }
        origins.set(item, where);
        (merged[section] as object[]).push(item);
        if (section === 'recipients') recipients.push({ recipient: item as RecipientConfig, origin: where });
      }
    }
    if (data.notifications) merged.notifications = data.notifications;
    if (data.queues) merged.queues = data.queues;
    if (data.console) merged.console = data.console;
    if (data.retention) merged.retention = data.retention;
  }

  checkReferences(merged, origins, unchecked, problems);
  const defaults = () => fileConfigSchema.parse({});
  return {
    files: {
      sites: merged.sites,
      sources: fromFiles,
      targets: merged.targets,
      rules: merged.rules,
      maintenance: merged.maintenance,
      recipients,
      dustDays: merged.dustDays,
      notifications: merged.notifications ?? defaults().notifications,
      queues: merged.queues ?? defaults().queues,
      console: merged.console ?? defaults().console,
      retention: merged.retention ?? defaults().retention,
    },
    sources: merged.sources,
  };
}

interface Reader {
  readonly access: FileAccess;
  readonly cwd: string;
  readonly problems: ConfigProblem[];
  /** Column mapping files by absolute path, read once however many sources name them. */
  readonly mappings: Map<string, CsvMapping | undefined>;
}

function readStructuredFile({ access, problems }: Reader, absolute: string, shown: string): unknown {
  const kind = access.kind(absolute);
  if (kind === 'missing') {
    const hint = didYouMean(path.basename(shown), neighboursOf(absolute), (name) => JSON.stringify(path.join(path.dirname(shown), name)));
    problems.push({ file: shown, path: '', seen: 'no such file', expected: 'a YAML or JSON configuration file', ...(hint ? { hint } : {}) });
    return undefined;
  }
  if (kind === 'folder') {
    problems.push({ file: shown, path: '', seen: 'a folder', expected: 'a YAML or JSON configuration file' });
    return undefined;
  }
  const text = access.read(absolute);
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const at = error.linePos?.[0];
      problems.push({
        file: shown,
        path: at ? `line ${at.line}, column ${at.col}` : '',
        seen: 'text that is not valid YAML',
        expected: `valid YAML (${error.code})`,
      });
    }
    return undefined;
  }
  return doc.toJS() ?? {};
}

function resolveSourceFiles(reader: Reader, source: SourceConfig, dir: string, where: Origin): LoadedSource {
  if (source.kind === 'csv-url') return { ...source, ...loadMapping(reader, source.mapping, dir, where) };
  if (source.kind !== 'replay-csv') return source;
  const files = source.files.map((f, i) => {
    existingFile(reader, f, dir, { ...where, path: `${where.path}.files[${i}]` });
    return path.resolve(dir, f);
  });
  return { ...source, files, ...loadMapping(reader, source.mapping, dir, where) };
}

/** Whether a path named in a file exists as a file; if not, a problem at its key with the file meant. */
function existingFile({ access, problems }: Reader, file: string, dir: string, where: Origin): boolean {
  const absolute = path.resolve(dir, file);
  const expected = 'an existing file (relative to the configuration file)';
  const kind = access.kind(absolute);
  if (kind === 'file') return true;
  if (kind === 'folder') {
    problems.push({ ...where, seen: `${JSON.stringify(file)} (a folder)`, expected });
    return false;
  }
  const hint = didYouMean(path.basename(file), neighboursOf(absolute), (name) => JSON.stringify(path.join(path.dirname(file), name)));
  problems.push({ ...where, seen: `${JSON.stringify(file)} (no such file)`, expected, ...(hint ? { hint } : {}) });
  return false;
}

/**
 * The names in the folder of a path that does not exist, to find the one meant. Read past `FileAccess`: it serves
 * only a problem's hint, and a check with problems is never kept.
 */
function neighboursOf(absolute: string): string[] {
  const folder = path.dirname(absolute);
  return existsSync(folder) && statSync(folder).isDirectory() ? readdirSync(folder) : [];
}

const parameterCodes = parameterCatalogue.map((p) => p.code);

/** A column mapping file, read once however many sources name it; its parameters are checked against the catalogue. */
function loadMapping(reader: Reader, file: string, dir: string, where: Origin): { mapping: string; mappingRules?: CsvMapping } {
  const mappingPath = path.resolve(dir, file);
  if (!existingFile(reader, file, dir, { ...where, path: `${where.path}.mapping` })) return { mapping: mappingPath };
  if (!reader.mappings.has(mappingPath)) reader.mappings.set(mappingPath, readMapping(reader, mappingPath, path.relative(reader.cwd, mappingPath)));
  const rules = reader.mappings.get(mappingPath);
  return rules ? { mapping: mappingPath, mappingRules: rules } : { mapping: mappingPath };
}

function readMapping(reader: Reader, mappingPath: string, shown: string): CsvMapping | undefined {
  const { problems } = reader;
  const raw = readStructuredFile(reader, mappingPath, shown);
  if (raw === undefined) return undefined;
  const result = csvMappingSchema.safeParse(raw);
  if (!result.success) {
    problems.push(...zodProblems(shown, result.error, raw, false, csvMappingSchema));
    return undefined;
  }
  result.data.values.forEach((v, i) => {
    if (parameterCodes.includes(v.parameter)) return;
    const hint = didYouMean(v.parameter, parameterCodes);
    problems.push({ file: shown, path: `values[${i}].parameter`, seen: JSON.stringify(v.parameter), expected: 'a parameter code of the catalogue (standards/parameters.ts)', ...(hint ? { hint } : {}) });
  });
  return result.data;
}
