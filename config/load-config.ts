/**
 * Loads the configuration once at start: environment variables plus the YAML/JSON files they name, validated
 * together so that one error lists every problem. The result is deeply frozen and passed down.
 */
import { checkEnvironment, completeConfig, configFileNames, resolveSecrets } from './apply-environment.ts';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { readConfigFiles } from './read-config-files.ts';
import type { CsvMapping, FileConfig, SourceConfig } from './schema.ts';

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
  /** How long minute data is kept (`retention:` in the configuration). */
  readonly retention: FileConfig['retention'];
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
 * Loads and checks the configuration: start-up, every command and `envmon config check` run this one check (the
 * commands of the compiled build keep its files' part while the files stay the same: config/config-cache.ts).
 * Throws a ConfigError listing every problem.
 */
export function loadConfig(env: NodeJS.ProcessEnv, cwd: string): AppConfig {
  const { config, problems } = checkConfig(env, cwd);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The configuration as far as it is valid, and every problem found in it (see ConfigCheck). */
export function checkConfig(env: NodeJS.ProcessEnv, cwd: string): ConfigCheck {
  const problems: ConfigProblem[] = [];
  const environment = checkEnvironment(env, problems);
  const { files, sources } = readConfigFiles(configFileNames(environment), cwd, problems, (source, where) => resolveSecrets(source, env, where, problems));
  return completeConfig(environment, files, sources, env, cwd, problems);
}
