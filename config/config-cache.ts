/**
 * The check of the configuration files, kept between runs under ENVMON_VAR_DIR/cache: reading YAML and building the
 * schemas costs a one-off command more than its own work. Only a check that found no problem is kept, and only
 * what comes from the files: the environment is checked again on every run and nothing from it is stored.
 *
 * A kept check is used only while everything it came from is unchanged: the code that made it (the compiled
 * build's stamp, the versions of the libraries that judge the files, Node and its time-zone data), the working folder
 * and ENVMON_CONFIG, the content of every file read and whether each file named exists. Anything else (another key,
 * a changed file, a damaged cache file) means the files are read afresh, which also gives the same problem messages
 * as ever: a kept check never holds a problem.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { checkEnvironment, completeConfig, configFileNames, resolveSecrets } from './apply-environment.ts';
import type { ConfigProblem } from './config-error.ts';
import type { ConfigCheck } from './load-config.ts';
import { fileSystem, type FileAccess, type FileKind } from './file-access.ts';
import type { ConfigFiles } from './read-config-files.ts';

/** The cache file, in ENVMON_VAR_DIR. */
export const CACHE_FILE = path.join('cache', 'config-files');
/** Raised whenever what is stored changes shape: a cache file of another layout is then never read. */
const LAYOUT = 1;
/** The libraries whose judgement of the files is kept: a new version may judge them otherwise. */
const JUDGES = ['yaml', 'zod', 'node-cron'] as const;

export interface KeptCheckOptions {
  /**
   * What identifies the code that checks the files: the compiled build's stamp. Null when running the sources
   * (they may change at any time): nothing is kept.
   */
  readonly codeVersion: string | null;
}

/** What was looked at to read the files: a kept check stands while each is as it was. */
interface Dependencies {
  /** Paths checked for being a file, and what they were. */
  readonly kinds: [string, FileKind][];
  /** Files read, and the SHA-256 of their content. */
  readonly contents: [string, string][];
}

/** The same check as config/load-config.ts's checkConfig, with the files' part kept while they stay the same. */
export async function checkConfigKept(env: NodeJS.ProcessEnv, cwd: string, options: KeptCheckOptions): Promise<ConfigCheck> {
  const problems: ConfigProblem[] = [];
  const environment = checkEnvironment(env, problems);
  const names = configFileNames(environment);
  const cacheFile = path.join(path.resolve(cwd, environment.ENVMON_VAR_DIR), CACHE_FILE);
  const key = options.codeVersion === null ? null : cacheKey(options.codeVersion, cwd, names);

  const kept = key === null ? undefined : readKept(cacheFile, key);
  if (kept) {
    const sources = kept.sources.map(({ source, origin }) => resolveSecrets(source, env, origin, problems));
    return completeConfig(environment, kept, sources, env, cwd, problems);
  }

  // Loaded here: the YAML parser and the schemas are what a kept check saves.
  const { readConfigFiles } = await import('./read-config-files.ts');
  const seen: Dependencies = { kinds: [], contents: [] };
  const recording: FileAccess = {
    kind: (absolute) => {
      const kind = fileSystem.kind(absolute);
      seen.kinds.push([absolute, kind]);
      return kind;
    },
    read: (absolute) => {
      const bytes = readFileSync(absolute);
      seen.contents.push([absolute, sha256(bytes)]);
      return bytes.toString('utf8');
    },
  };
  const { files, sources } = readConfigFiles(names, cwd, problems, (source, where) => resolveSecrets(source, env, where, problems), recording);
  const check = completeConfig(environment, files, sources, env, cwd, problems);
  if (key !== null && check.problems.length === 0) keep(cacheFile, key, seen, files);
  return check;
}

/** What a kept check is valid for; null when a library's version cannot be found (then nothing is kept). */
function cacheKey(codeVersion: string, cwd: string, names: readonly string[]): string | null {
  const require = createRequire(import.meta.url);
  const judges: string[] = [];
  for (const name of JUDGES) {
    const version = packageVersion(require.resolve(name), name);
    if (version === null) return null;
    judges.push(`${name}@${version}`);
  }
  // Node's ICU data decides which time zones exist.
  const node = [process.version, process.versions.icu, process.versions.tz];
  return sha256(JSON.stringify({ layout: LAYOUT, codeVersion, judges, node, cwd, names }));
}

/** The version in the package.json of the package `name` that `entry` (a file of it) belongs to. */
function packageVersion(entry: string, name: string): string | null {
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    let manifest: { name?: unknown; version?: unknown };
    try {
      manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as typeof manifest;
    } catch {
      continue;
    }
    if (manifest.name === name && typeof manifest.version === 'string') return manifest.version;
  }
  return null;
}

/**
 * The kept files' part for this key, if everything it came from is unchanged. The cache file is a header line (the
 * key and the SHA-256 of the rest) and the kept check: a file cut short or damaged does not match its hash.
 */
function readKept(cacheFile: string, key: string): ConfigFiles | undefined {
  try {
    const text = readFileSync(cacheFile, 'utf8');
    const end = text.indexOf('\n');
    if (end < 0) return undefined;
    const header = JSON.parse(text.slice(0, end)) as { key?: unknown; sha256?: unknown } | null;
    const rest = text.slice(end + 1);
    if (header?.key !== key || header.sha256 !== sha256(rest)) return undefined;
    const { dependencies, files } = JSON.parse(rest) as { dependencies: Dependencies; files: ConfigFiles };
    const unchanged =
      dependencies.kinds.every(([file, kind]) => fileSystem.kind(file) === kind) &&
      dependencies.contents.every(([file, hash]) => sha256(readFileSync(file)) === hash);
    return unchanged ? files : undefined;
  } catch {
    // No cache file, an unreadable one, or a file it depends on gone: read the files.
    return undefined;
  }
}

/**
 * Writes the check to a file of its own and renames it over the cache file: a reader sees the old check or the new
 * one, never part of one. A cache that cannot be written (read-only folder) is no error: the next run reads afresh.
 */
function keep(cacheFile: string, key: string, dependencies: Dependencies, files: ConfigFiles): void {
  const rest = JSON.stringify({ dependencies, files }) + '\n';
  // Only what survives JSON as it is: the files' values are plain data, but a kept check must never differ.
  if (!isDeepStrictEqual((JSON.parse(rest) as { files: unknown }).files, files)) return;
  const temporary = `${cacheFile}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    writeFileSync(temporary, JSON.stringify({ key, sha256: sha256(rest) }) + '\n' + rest);
    renameSync(temporary, cacheFile);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Nothing was written where nothing can be removed.
    }
  }
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
