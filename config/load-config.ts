/**
 * Loads the configuration once at start: environment variables plus the YAML/JSON files they name, validated
 * together so that one error lists every problem. The result is deeply frozen and passed down.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, formatPath, showValue, type ConfigProblem } from './config-error.ts';
import { environmentSchema } from './environment.ts';
import { csvMappingSchema, fileConfigSchema, type CsvMapping, type FileConfig, type SourceConfig } from './schema.ts';

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
  readonly notifications: FileConfig['notifications'];
  /** SMTP server URL (with credentials) or null: mail goes to .eml files. */
  readonly smtpUrl: string | null;
  /** Webhook URLs and secrets by environment variable name, for the recipients' channels. */
  readonly channelSecrets: Readonly<Record<string, string>>;
  readonly queues: FileConfig['queues'];
  /** Secret values from the environment, for log scrubbing only. */
  readonly secrets: readonly string[];
}

export function loadConfig(env: NodeJS.ProcessEnv, cwd: string): AppConfig {
  const problems: ConfigProblem[] = [];
  const envResult = environmentSchema.safeParse(env);
  if (!envResult.success) problems.push(...zodProblems('environment', envResult.error, env, true));
  const environment = envResult.success ? envResult.data : environmentSchema.parse({});

  const files = environment.ENVMON_CONFIG.split(',').map((f) => f.trim()).filter(Boolean);
  const merged: { sites: FileConfig['sites']; sources: LoadedSource[]; targets: FileConfig['targets']; rules: FileConfig['rules']; maintenance: FileConfig['maintenance']; recipients: FileConfig['recipients']; notifications?: FileConfig['notifications']; queues?: FileConfig['queues'] } = {
    sites: [],
    sources: [],
    targets: [],
    rules: [],
    maintenance: [],
    recipients: [],
  };
  const origins = new Map<object, { file: string; path: string }>();

  for (const file of files) {
    const absolute = path.resolve(cwd, file);
    const shown = path.relative(cwd, absolute) || file;
    const raw = readStructuredFile(absolute, shown, problems);
    if (raw === undefined) continue;
    const result = fileConfigSchema.safeParse(raw);
    if (!result.success) {
      problems.push(...zodProblems(shown, result.error, raw, false));
      continue;
    }
    const dir = path.dirname(absolute);
    result.data.sites.forEach((s, i) => origins.set(s, { file: shown, path: `sites[${i}]` }));
    result.data.targets.forEach((t, i) => origins.set(t, { file: shown, path: `targets[${i}]` }));
    result.data.sources.forEach((source, i) => {
      const where = { file: shown, path: `sources[${i}]` };
      const loaded = resolveSecrets(resolveSourceFiles(source, dir, cwd, where, problems), env, where, problems);
      origins.set(loaded, where);
      merged.sources.push(loaded);
    });
    merged.sites.push(...result.data.sites);
    merged.targets.push(...result.data.targets);
    merged.rules.push(...result.data.rules);
    merged.maintenance.push(...result.data.maintenance);
    result.data.recipients.forEach((r, i) => origins.set(r, { file: shown, path: `recipients[${i}]` }));
    merged.recipients.push(...result.data.recipients);
    if (isRecord(raw) && 'notifications' in raw) merged.notifications = result.data.notifications;
    if (isRecord(raw) && 'queues' in raw) merged.queues = result.data.queues;
  }

  checkReferences(merged, origins, problems);
  const channelSecrets = resolveChannelSecrets(merged.recipients, origins, env, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const secrets = [
    ...[environment.DATABASE_URL, environment.REDIS_URL].map((u) => (u ? safePassword(u) : null)),
    ...merged.sources.flatMap((s) => Object.values(s.stationPasswords ?? {})),
    ...merged.sources.flatMap((s) => Object.values(s.authHeaders ?? {})),
    ...Object.values(channelSecrets),
    environment.ENVMON_SMTP_URL ? safePassword(environment.ENVMON_SMTP_URL) : null,
  ].filter((p): p is string => Boolean(p));

  return deepFreeze({
    databaseUrl: environment.DATABASE_URL ?? null,
    redisUrl: environment.REDIS_URL ?? null,
    varDir: path.resolve(cwd, environment.ENVMON_VAR_DIR),
    queuePrefix: environment.ENVMON_QUEUE_PREFIX,
    role: environment.ENVMON_ROLE,
    logLevel: environment.ENVMON_LOG_LEVEL,
    httpPort: environment.ENVMON_HTTP_PORT ?? null,
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
    notifications: merged.notifications ?? fileConfigSchema.parse({}).notifications,
    smtpUrl: environment.ENVMON_SMTP_URL ?? null,
    channelSecrets,
    queues: merged.queues ?? fileConfigSchema.parse({}).queues,
    secrets,
  });
}

function readStructuredFile(absolute: string, shown: string, problems: ConfigProblem[]): unknown {
  if (!existsSync(absolute)) {
    problems.push({ file: shown, path: '', seen: 'no such file', expected: 'a YAML or JSON configuration file' });
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
  where: { file: string; path: string },
  problems: ConfigProblem[],
): LoadedSource {
  if (source.kind === 'csv-url') return { ...source, ...loadMapping(source.mapping, dir, cwd, problems) };
  if (source.kind !== 'replay-csv') return source;
  const files = source.files.map((f, i) => {
    const absolute = path.resolve(dir, f);
    if (!existsSync(absolute)) {
      problems.push({ file: where.file, path: `${where.path}.files[${i}]`, seen: JSON.stringify(f), expected: 'an existing CSV file (relative to the configuration file)' });
    }
    return absolute;
  });
  return { ...source, files, ...loadMapping(source.mapping, dir, cwd, problems) };
}

function loadMapping(file: string, dir: string, cwd: string, problems: ConfigProblem[]): { mapping: string; mappingRules?: CsvMapping } {
  const mappingPath = path.resolve(dir, file);
  const mappingShown = path.relative(cwd, mappingPath);
  const raw = readStructuredFile(mappingPath, mappingShown, problems);
  if (raw === undefined) return { mapping: mappingPath };
  const result = csvMappingSchema.safeParse(raw);
  if (result.success) return { mapping: mappingPath, mappingRules: result.data };
  problems.push(...zodProblems(mappingShown, result.error, raw, false));
  return { mapping: mappingPath };
}

/** Secrets named in a file are read from the environment here; a missing one is a configuration problem. */
function resolveSecrets(source: LoadedSource, env: NodeJS.ProcessEnv, where: { file: string; path: string }, problems: ConfigProblem[]): LoadedSource {
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
function resolveChannelSecrets(recipients: FileConfig['recipients'], origins: Map<object, { file: string; path: string }>, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): Record<string, string> {
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

function checkReferences(
  merged: { sites: FileConfig['sites']; sources: LoadedSource[]; targets: FileConfig['targets'] },
  origins: Map<object, { file: string; path: string }>,
  problems: ConfigProblem[],
): void {
  const siteCodes = new Set<string>();
  for (const site of merged.sites) {
    const at = origins.get(site);
    if (siteCodes.has(site.code) && at) problems.push({ ...at, path: `${at.path}.code`, seen: JSON.stringify(site.code), expected: 'a site code not used by another site' });
    siteCodes.add(site.code);
  }
  const sourceIds = new Set<string>();
  for (const source of merged.sources) {
    const at = origins.get(source);
    if (!at) continue;
    if (sourceIds.has(source.id)) problems.push({ ...at, path: `${at.path}.id`, seen: JSON.stringify(source.id), expected: 'a source id not used by another source' });
    sourceIds.add(source.id);
    if (source.kind === 'hj212-listener') {
      source.stations.forEach((s, i) => {
        if (!siteCodes.has(s.site)) problems.push({ ...at, path: `${at.path}.stations[${i}].site`, seen: JSON.stringify(s.site), expected: 'the code of a configured site' });
      });
    }
    if (source.kind === 'water-simulator') {
      source.sites.forEach((s, i) => {
        if (!siteCodes.has(s.site)) problems.push({ ...at, path: `${at.path}.sites[${i}].site`, seen: JSON.stringify(s.site), expected: 'the code of a configured site' });
      });
    }
  }
  for (const target of merged.targets) {
    const at = origins.get(target);
    if (at && 'site' in target.scope && !siteCodes.has(target.scope.site)) {
      problems.push({ ...at, path: `${at.path}.scope.site`, seen: JSON.stringify(target.scope.site), expected: 'the code of a configured site' });
    }
  }
}

function zodProblems(file: string, error: z.ZodError, raw: unknown, secret: boolean): ConfigProblem[] {
  return error.issues.flatMap((issue): ConfigProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        file,
        path: formatPath([...issue.path, key]),
        seen: 'an unknown key',
        expected: 'no such key (check its spelling)',
      }));
    }
    const seenValue = valueAt(raw, issue.path);
    return [
      {
        file,
        path: formatPath(issue.path),
        // Environment values may hold credentials; show only whether something was there.
        seen: secret ? (seenValue === undefined ? 'nothing' : 'a value') : showValue(seenValue),
        expected: expectation(issue.message),
      },
    ];
  });
}

function expectation(message: string): string {
  return message
    .replace(/^Invalid (input|option|string|value):\s*/i, '')
    .replace(/^expected /, '')
    .replace(/, received .*$/, '');
}

function valueAt(raw: unknown, keys: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const key of keys) {
    if (!isRecord(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
