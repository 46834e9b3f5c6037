/**
 * Loads the configuration once at start: environment variables plus the YAML/JSON files they name, validated
 * together so that one error lists every problem. The result is deeply frozen and passed down.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { checkReferences, type ConfigItems, type Origin, type UncheckedIds } from './check-references.ts';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { environmentSchema } from './environment.ts';
import { parseFile, type Section } from './parse-config-file.ts';
import { csvMappingSchema, fileConfigSchema, type CsvMapping, type FileConfig, type SourceConfig } from './schema.ts';
import { didYouMean } from '../lib/near-miss.ts';
import { parameterCatalogue } from '../standards/parameters.ts';
import { zodProblems } from './zod-problems.ts';

export type LoadedSource = SourceConfig & {
  readonly mappingRules?: CsvMapping;
  /** Station passwords of an HJ 212 listener, by MN, resolved from the environment. */
  readonly stationPasswords?: Readonly<Record<string, string>>;
  /** The credential header of an HTTP source, resolved from the environment. */
  readonly authHeaders?: Readonly<Record<string, string>>;
};

export interface AppConfig {
  readonly databaseUrl: string | null;
  readonly redisUrl: string | null;
  readonly varDir: string;
  readonly queuePrefix: string;
  readonly role: 'all' | 'worker' | 'scheduler';
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly httpPort: number | null;
  /** Address the HTTP server listens on (ENVMON_HTTP_HOST). */
  readonly httpHost: string;
  /** Whether the JSON API requires a bearer token (ENVMON_HTTP_AUTH). */
  readonly httpAuth: 'token' | 'none';
  readonly shutdownTimeoutMs: number;
  readonly configFiles: readonly string[];
  readonly sites: FileConfig['sites'];
  readonly sources: readonly LoadedSource[];
  readonly targets: FileConfig['targets'];
  readonly rules: FileConfig['rules'];
  readonly maintenance: FileConfig['maintenance'];
  readonly recipients: FileConfig['recipients'];
  /** Dust-affected days (扣沙) from the configuration. */
  readonly dustDays: FileConfig['dustDays'];
  readonly notifications: FileConfig['notifications'];
  /** SMTP server URL (with credentials) or null: mail goes to .eml files. */
  readonly smtpUrl: string | null;
  /** Webhook URLs and secrets by environment variable name, for the recipients' channels. */
  readonly channelSecrets: Readonly<Record<string, string>>;
  readonly queues: FileConfig['queues'];
  /** The web console: anonymous reading, sign-in length, proxy trust (`console:` in the configuration). */
  readonly console: FileConfig['console'];
  /** Secret values from the environment, for log scrubbing only. */
  readonly secrets: readonly string[];
}

/** The configuration as far as it could be read, and every problem found in it. */
export interface ConfigCheck {
  /** Built from the parts that are valid: meaningful only when `problems` is empty. */
  readonly config: AppConfig;
  readonly problems: readonly ConfigProblem[];
}

/**
 * Loads and checks the configuration: start-up, every command and `envmon config check` run this one check. Throws
 * a ConfigError listing every problem.
 */
export function loadConfig(env: NodeJS.ProcessEnv, cwd: string): AppConfig {
  const { config, problems } = checkConfig(env, cwd);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export function checkConfig(env: NodeJS.ProcessEnv, cwd: string): ConfigCheck {
  const problems: ConfigProblem[] = [];
  const envResult = environmentSchema.safeParse(env);
  if (!envResult.success) problems.push(...zodProblems('environment', envResult.error, env, true, environmentSchema));
  const environment = envResult.success ? envResult.data : environmentSchema.parse({});
  problems.push(...unknownVariables(env));

  const files = environment.ENVMON_CONFIG.split(',').map((f) => f.trim()).filter(Boolean);
  const merged: ConfigItems & { sources: LoadedSource[]; notifications?: FileConfig['notifications']; queues?: FileConfig['queues']; console?: FileConfig['console'] } = {
    sites: [],
    sources: [],
    targets: [],
    rules: [],
    maintenance: [],
    recipients: [],
    dustDays: [],
  };
  const unchecked: UncheckedIds = { sites: new Set(), sources: new Set(), targets: new Set(), rules: new Set(), recipients: new Set() };
  const origins = new Map<object, Origin>();
  const mappings = new Map<string, CsvMapping | undefined>();

  for (const file of files) {
    const absolute = path.resolve(cwd, file);
    const shown = path.relative(cwd, absolute) || file;
    const raw = readStructuredFile(absolute, shown, problems);
    if (raw === undefined) continue;
    const data = parseFile(shown, raw, problems, unchecked);
    if (!data) continue;
    const dir = path.dirname(absolute);
    for (const [section, list] of Object.entries(data.sections) as [Section, { item: object; index: number }[]][]) {
      for (const { item, index } of list) {
        const where = { file: shown, path: `${section}[${index}]` };
        if (section === 'sources') {
          const loaded = resolveSecrets(resolveSourceFiles(item as SourceConfig, dir, cwd, where, problems, mappings), env, where, problems);
          origins.set(loaded, where);
          merged.sources.push(loaded);
          continue;
        }
        origins.set(item, where);
        (merged[section] as object[]).push(item);
      }
    }
    if (data.notifications) merged.notifications = data.notifications;
    if (data.queues) merged.queues = data.queues;
    if (data.console) merged.console = data.console;
  }

  checkReferences(merged, origins, unchecked, problems);
  const channelSecrets = resolveChannelSecrets(merged.recipients, origins, env, problems);
  problems.push(...pathProblems(environment.ENVMON_VAR_DIR, cwd));

  const secrets = [
    ...[environment.DATABASE_URL, environment.REDIS_URL].map((u) => (u ? safePassword(u) : null)),
    ...merged.sources.flatMap((s) => Object.values(s.stationPasswords ?? {})),
    ...merged.sources.flatMap((s) => Object.values(s.authHeaders ?? {})),
    ...Object.values(channelSecrets),
    environment.ENVMON_SMTP_URL ? safePassword(environment.ENVMON_SMTP_URL) : null,
  ].filter((p): p is string => Boolean(p));

  const config: AppConfig = deepFreeze({
    databaseUrl: environment.DATABASE_URL ?? null,
    redisUrl: environment.REDIS_URL ?? null,
    varDir: path.resolve(cwd, environment.ENVMON_VAR_DIR),
    queuePrefix: environment.ENVMON_QUEUE_PREFIX,
    role: environment.ENVMON_ROLE,
    logLevel: environment.ENVMON_LOG_LEVEL,
    httpPort: environment.ENVMON_HTTP_PORT,
    httpHost: environment.ENVMON_HTTP_HOST,
    httpAuth: environment.ENVMON_HTTP_AUTH,
    shutdownTimeoutMs: environment.ENVMON_SHUTDOWN_TIMEOUT_MS,
    configFiles: files,
    sites: merged.sites,
    sources: merged.sources,
    targets: merged.targets,
    rules: merged.rules,
    maintenance: merged.maintenance,
    recipients: merged.recipients,
    dustDays: merged.dustDays,
    notifications: merged.notifications ?? fileConfigSchema.parse({}).notifications,
    smtpUrl: environment.ENVMON_SMTP_URL ?? null,
    channelSecrets,
    queues: merged.queues ?? fileConfigSchema.parse({}).queues,
    console: merged.console ?? fileConfigSchema.parse({}).console,
    secrets,
  });
  return { config, problems };
}

/** ENVMON_ variables envmon does not read: a misspelt one (ENVMON_SMTP_ULR) would be ignored without a word. */
function unknownVariables(env: NodeJS.ProcessEnv): ConfigProblem[] {
  const known = Object.keys(environmentSchema.shape);
  return Object.keys(env)
    .filter((name) => name.startsWith('ENVMON_') && !known.includes(name))
    .sort()
    .map((name) => {
      const hint = didYouMean(name, known);
      return { file: 'environment', path: name, seen: 'a variable envmon does not read', expected: 'a known ENVMON_ variable (see .env.example)', ...(hint ? { hint } : {}) };
    });
}

/** The state folder must be a folder (or not exist yet: it is created). Its value is not shown. */
function pathProblems(varDir: string, cwd: string): ConfigProblem[] {
  const absolute = path.resolve(cwd, varDir);
  if (!existsSync(absolute) || statSync(absolute).isDirectory()) return [];
  return [{ file: 'environment', path: 'ENVMON_VAR_DIR', seen: 'a path that is a file', expected: 'a folder, or a path where one can be created' }];
}

function readStructuredFile(absolute: string, shown: string, problems: ConfigProblem[]): unknown {
  if (!existsSync(absolute)) {
    const hint = didYouMean(path.basename(shown), neighboursOf(absolute), (name) => JSON.stringify(path.join(path.dirname(shown), name)));
    problems.push({ file: shown, path: '', seen: 'no such file', expected: 'a YAML or JSON configuration file', ...(hint ? { hint } : {}) });
    return undefined;
  }
  if (!statSync(absolute).isFile()) {
    problems.push({ file: shown, path: '', seen: 'a folder', expected: 'a YAML or JSON configuration file' });
    return undefined;
  }
  const text = readFileSync(absolute, 'utf8');
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

function resolveSourceFiles(
  source: SourceConfig,
  dir: string,
  cwd: string,
  where: Origin,
  problems: ConfigProblem[],
  mappings: Map<string, CsvMapping | undefined>,
): LoadedSource {
  if (source.kind === 'csv-url') return { ...source, ...loadMapping(source.mapping, dir, cwd, where, problems, mappings) };
  if (source.kind !== 'replay-csv') return source;
  const files = source.files.map((f, i) => {
    existingFile(f, dir, { ...where, path: `${where.path}.files[${i}]` }, problems);
    return path.resolve(dir, f);
  });
  return { ...source, files, ...loadMapping(source.mapping, dir, cwd, where, problems, mappings) };
}

/** Whether a path named in a file exists as a file; if not, a problem at its key with the file meant. */
function existingFile(file: string, dir: string, where: Origin, problems: ConfigProblem[]): boolean {
  const absolute = path.resolve(dir, file);
  const expected = 'an existing file (relative to the configuration file)';
  if (existsSync(absolute)) {
    if (statSync(absolute).isFile()) return true;
    problems.push({ ...where, seen: `${JSON.stringify(file)} (a folder)`, expected });
    return false;
  }
  const hint = didYouMean(path.basename(file), neighboursOf(absolute), (name) => JSON.stringify(path.join(path.dirname(file), name)));
  problems.push({ ...where, seen: `${JSON.stringify(file)} (no such file)`, expected, ...(hint ? { hint } : {}) });
  return false;
}

/** The names in the folder of a path that does not exist, to find the one meant. */
function neighboursOf(absolute: string): string[] {
  const folder = path.dirname(absolute);
  return existsSync(folder) && statSync(folder).isDirectory() ? readdirSync(folder) : [];
}

const parameterCodes = parameterCatalogue.map((p) => p.code);

/** A column mapping file, read once however many sources name it; its parameters are checked against the catalogue. */
function loadMapping(file: string, dir: string, cwd: string, where: Origin, problems: ConfigProblem[], mappings: Map<string, CsvMapping | undefined>): { mapping: string; mappingRules?: CsvMapping } {
  const mappingPath = path.resolve(dir, file);
  if (!existingFile(file, dir, { ...where, path: `${where.path}.mapping` }, problems)) return { mapping: mappingPath };
  if (!mappings.has(mappingPath)) mappings.set(mappingPath, readMapping(mappingPath, path.relative(cwd, mappingPath), problems));
  const rules = mappings.get(mappingPath);
  return rules ? { mapping: mappingPath, mappingRules: rules } : { mapping: mappingPath };
}

function readMapping(mappingPath: string, shown: string, problems: ConfigProblem[]): CsvMapping | undefined {
  const raw = readStructuredFile(mappingPath, shown, problems);
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

/** Secrets named in a file are read from the environment here; a missing one is a configuration problem. */
function resolveSecrets(source: LoadedSource, env: NodeJS.ProcessEnv, where: Origin, problems: ConfigProblem[]): LoadedSource {
  const fromEnv = (name: string, path: string): string | undefined => {
    const value = env[name];
    if (!value) problems.push({ ...where, path: `${where.path}.${path}`, seen: `${name} unset`, expected: `the credential in environment variable ${name}` });
    return value;
  };
  if ((source.kind === 'http-json' || source.kind === 'csv-url' || source.kind === 'cnemc') && source.auth) {
    const value = fromEnv(source.auth.valueEnv, 'auth.valueEnv');
    return value ? { ...source, authHeaders: { [source.auth.name]: source.auth.prefix + value } } : source;
  }
  if (source.kind === 'openaq') {
    const value = fromEnv(source.apiKeyEnv, 'apiKeyEnv');
    return value ? { ...source, authHeaders: { 'X-API-Key': value } } : source;
  }
  if (source.kind !== 'hj212-listener') return source;
  const stationPasswords: Record<string, string> = {};
  source.stations.forEach((station, i) => {
    const value = env[station.passwordEnv];
    if (value) stationPasswords[station.mn] = value;
    else problems.push({ ...where, path: `${where.path}.stations[${i}].passwordEnv`, seen: `${station.passwordEnv} unset`, expected: `the station password in environment variable ${station.passwordEnv}` });
  });
  return { ...source, stationPasswords };
}

/** Every webhook URL and secret named by a recipient must be set in the environment. */
function resolveChannelSecrets(recipients: FileConfig['recipients'], origins: ReadonlyMap<object, Origin>, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const recipient of recipients) {
    const at = origins.get(recipient);
    recipient.webhooks.forEach((w, i) => {
      for (const [key, name] of [['urlEnv', w.urlEnv], ['secretEnv', w.secretEnv]] as const) {
        if (name === undefined) continue;
        const value = env[name];
        if (value) secrets[name] = value;
        else if (at) problems.push({ ...at, path: `${at.path}.webhooks[${i}].${key}`, seen: `${name} unset`, expected: key === 'urlEnv' ? `the ${w.kind} URL in environment variable ${name}` : `the signing secret in environment variable ${name}` });
      }
      const url = env[w.urlEnv];
      if (url && !/^https?:\/\//.test(url) && at) problems.push({ ...at, path: `${at.path}.webhooks[${i}].urlEnv`, seen: `${w.urlEnv} is not an http(s) URL`, expected: 'an http:// or https:// URL' });
    });
  }
  return secrets;
}

function safePassword(url: string): string | null {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password || null;
  } catch {
    return null;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
