/**
 * The environment's part of the configuration: its variables checked, the credentials the files name read from it,
 * and the whole assembled and frozen. It runs on every start, also when the files' check is kept
 * (config/config-cache.ts): nothing taken from the environment is ever stored.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Origin } from './check-references.ts';
import type { ConfigProblem } from './config-error.ts';
import { environmentSchema, type Environment } from './environment.ts';
import type { AppConfig, ConfigCheck, LoadedSource } from './load-config.ts';
import type { ConfigFiles } from './read-config-files.ts';
import { didYouMean } from '../lib/near-miss.ts';
import { zodProblems } from './zod-problems.ts';

/** The environment variables checked, their problems added to `problems`; defaults stand in when any is invalid. */
export function checkEnvironment(env: NodeJS.ProcessEnv, problems: ConfigProblem[]): Environment {
  const result = environmentSchema.safeParse(env);
  if (!result.success) problems.push(...zodProblems('environment', result.error, env, true, environmentSchema));
  problems.push(...unknownVariables(env));
  return result.success ? result.data : environmentSchema.parse({});
}

/** The configuration files ENVMON_CONFIG names, as written (relative to the working folder). */
export function configFileNames(environment: Environment): string[] {
  return environment.ENVMON_CONFIG.split(',').map((f) => f.trim()).filter(Boolean);
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

/**
 * The configuration from the checked files and environment. `sources` are the files' sources with their credentials
 * (resolveSecrets), in the files' order. Adds the problems of the recipients' secrets and of the state folder.
 */
export function completeConfig(environment: Environment, files: ConfigFiles, sources: readonly LoadedSource[], env: NodeJS.ProcessEnv, cwd: string, problems: ConfigProblem[]): ConfigCheck {
  const channelSecrets = resolveChannelSecrets(files.recipients, env, problems);
  problems.push(...pathProblems(environment.ENVMON_VAR_DIR, cwd));

  const secrets = [
    ...[environment.DATABASE_URL, environment.REDIS_URL].map((u) => (u ? safePassword(u) : null)),
    ...sources.flatMap((s) => Object.values(s.stationPasswords ?? {})),
    ...sources.flatMap((s) => Object.values(s.authHeaders ?? {})),
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
    configFiles: configFileNames(environment),
    sites: files.sites,
    sources: [...sources],
    targets: files.targets,
    rules: files.rules,
    maintenance: files.maintenance,
    recipients: files.recipients.map((r) => r.recipient),
    dustDays: files.dustDays,
    notifications: files.notifications,
    smtpUrl: environment.ENVMON_SMTP_URL ?? null,
    channelSecrets,
    queues: files.queues,
    console: files.console,
    retention: files.retention,
    secrets,
  });
  return { config, problems };
}

/** The state folder must be a folder (or not exist yet: it is created). Its value is not shown. */
function pathProblems(varDir: string, cwd: string): ConfigProblem[] {
  const absolute = path.resolve(cwd, varDir);
  if (!existsSync(absolute) || statSync(absolute).isDirectory()) return [];
  return [{ file: 'environment', path: 'ENVMON_VAR_DIR', seen: 'a path that is a file', expected: 'a folder, or a path where one can be created' }];
}

/** Secrets named in a file are read from the environment here; a missing one is a configuration problem. */
export function resolveSecrets(source: LoadedSource, env: NodeJS.ProcessEnv, where: Origin, problems: ConfigProblem[]): LoadedSource {
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
function resolveChannelSecrets(recipients: ConfigFiles['recipients'], env: NodeJS.ProcessEnv, problems: ConfigProblem[]): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const { recipient, origin: at } of recipients) {
    recipient.webhooks.forEach((w, i) => {
      for (const [key, name] of [['urlEnv', w.urlEnv], ['secretEnv', w.secretEnv]] as const) {
        if (name === undefined) continue;
        const value = env[name];
        if (value) secrets[name] = value;
        else problems.push({ ...at, path: `${at.path}.webhooks[${i}].${key}`, seen: `${name} unset`, expected: key === 'urlEnv' ? `the ${w.kind} URL in environment variable ${name}` : `the signing secret in environment variable ${name}` });
      }
      const url = env[w.urlEnv];
      if (url && !/^https?:\/\//.test(url)) problems.push({ ...at, path: `${at.path}.webhooks[${i}].urlEnv`, seen: `${w.urlEnv} is not an http(s) URL`, expected: 'an http:// or https:// URL' });
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
