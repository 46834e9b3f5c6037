/**
 * Every `envmon` command by the words that select it, with the one line `envmon --help` shows and how to load
 * the rest. A command's module is imported only when that command runs (or shows its own --help): the modules pull
 * in the database, queue, web and report libraries, and importing them all cost every call seconds before it did
 * anything. `test/unit/command-list.test.ts` checks each entry against the command it loads.
 */
import type { Command } from './command.ts';

export interface CommandEntry {
  /** Words that select the command, the same as the loaded command's `path`. */
  readonly path: readonly string[];
  /** The loaded command's `summary`, shown by `envmon --help` without loading it. */
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

export const commandList: readonly CommandEntry[] = [
  { path: ['start'], summary: 'run the scheduler and workers until Ctrl-C or SIGTERM', load: async () => (await import('./commands/start.ts')).startCommand },
  { path: ['migrate'], summary: 'bring the database schema up to date', load: async () => (await import('./commands/migrate.ts')).migrateCommand },
  { path: ['config', 'check'], summary: 'validate the configuration (files and environment) without starting anything; exit 2 lists every problem', load: async () => (await import('./commands/config-check.ts')).configCheckCommand },
  { path: ['status'], summary: 'counts of sites, sources, readings, quarantined items, open alerts and pending notifications', load: async () => (await import('./commands/status.ts')).statusCommand },
  { path: ['sites'], summary: 'the sites envmon knows: code, names, kind, area, note and the sources that feed them', load: async () => (await import('./commands/sites.ts')).sitesCommand },
  { path: ['sources', 'list'], summary: 'configured sources with their schedule and health', load: async () => (await import('./commands/sources.ts')).sourcesListCommand },
  { path: ['sources', 'show'], summary: 'one source: settings, health and stored readings', load: async () => (await import('./commands/sources.ts')).sourcesShowCommand },
  { path: ['sources', 'test'], summary: 'fetch a recent window from a source and validate it, storing nothing', load: async () => (await import('./commands/sources.ts')).sourcesTestCommand },
  { path: ['sources', 'enable'], summary: 'resume pulling a source (kept across restarts)', load: async () => (await import('./commands/sources.ts')).sourcesEnableCommand },
  { path: ['sources', 'disable'], summary: 'stop pulling a source (kept across restarts)', load: async () => (await import('./commands/sources.ts')).sourcesDisableCommand },
  { path: ['sources', 'forget'], summary: 'stop expecting a site (or one series of it) that a feed no longer publishes: its no-data alert resolves', load: async () => (await import('./commands/sources-forget.ts')).sourcesForgetCommand },
  { path: ['import'], summary: 'import a file of readings; returns once the data is stored, its rolling windows refreshed and the rules run on it', load: async () => (await import('./commands/import.ts')).importCommand },
  { path: ['backfill'], summary: 'fetch and store a past period of a source, window by window, and run the rules on it as on pulled data', load: async () => (await import('./commands/backfill.ts')).backfillCommand },
  { path: ['aqi'], summary: 'hourly or daily AQI of sites by HJ 633 (the edition in force at the time)', load: async () => (await import('./commands/air-queries.ts')).aqiCommand },
  { path: ['stats'], summary: 'window statistics of a parameter (GB 3095 validity rules, GB/T 8170 rounding)', load: async () => (await import('./commands/air-queries.ts')).statsCommand },
  { path: ['targets'], summary: 'plan targets with year-to-date progress, references carried past their plan period and final results', load: async () => (await import('./commands/targets.ts')).targetsCommand },
  { path: ['assess'], summary: 'assess air (HJ 663) or water (GB 3838) over a period: concentrations, composite index, good days', load: async () => (await import('./commands/assess.ts')).assessCommand },
  { path: ['rank'], summary: 'rank air sites or areas by composite index, PM2.5, good-day ratio or change on last year', load: async () => (await import('./commands/assess.ts')).rankCommand },
  { path: ['dust', 'add'], summary: 'mark a day as affected by sand and dust (扣沙)', load: async () => (await import('./commands/assess.ts')).dustAddCommand },
  { path: ['dust', 'list'], summary: 'list the days marked as affected by sand and dust', load: async () => (await import('./commands/assess.ts')).dustListCommand },
  { path: ['dust', 'remove'], summary: 'remove a dust-day mark made with `dust add`', load: async () => (await import('./commands/assess.ts')).dustRemoveCommand },
  { path: ['alerts', 'list'], summary: 'alerts, open ones by default (newest first)', load: async () => (await import('./commands/alerts.ts')).alertsListCommand },
  { path: ['alerts', 'show'], summary: 'one alert with its evidence and full history', load: async () => (await import('./commands/alerts.ts')).alertsShowCommand },
  { path: ['alerts', 'ack'], summary: 'acknowledge an open alert with a note', load: async () => (await import('./commands/alerts.ts')).alertsAckCommand },
  { path: ['alerts', 'silence'], summary: 'hold back notifications of matching alerts for a while (alerts still open and resolve)', load: async () => (await import('./commands/silences.ts')).alertsSilenceCommand },
  { path: ['alerts', 'silences'], summary: 'silences in force or scheduled (--all: also ended ones)', load: async () => (await import('./commands/silences.ts')).alertsSilencesCommand },
  { path: ['alerts', 'unsilence'], summary: 'end a silence now', load: async () => (await import('./commands/silences.ts')).alertsUnsilenceCommand },
  { path: ['aggregates', 'rebuild'], summary: 'finish evaluations left pending, then recompute the stored rolling windows from the raw readings (after a bulk load into the database, or to repair)', load: async () => (await import('./commands/aggregates.ts')).aggregatesRebuildCommand },
  { path: ['partitions', 'prune'], summary: 'drop whole UTC days of minute data older than --keep-days, once their hours are derived (hourly readings stay)', load: async () => (await import('./commands/partitions.ts')).partitionsPruneCommand },
  { path: ['notifications', 'list'], summary: 'deliveries of notifications to recipients (newest first); --failed: those that gave up', load: async () => (await import('./commands/notifications.ts')).notificationsListCommand },
  { path: ['notifications', 'retry'], summary: 'send failed notifications again (at the next outbox run, with their original Message-ID)', load: async () => (await import('./commands/notifications.ts')).notificationsRetryCommand },
  { path: ['report', 'daily'], summary: 'the daily summary of a natural day (default yesterday, Beijing time): text, --json, or --html FILE (chart embedded)', load: async () => (await import('./commands/report.ts')).reportDailyCommand },
  { path: ['report', 'monthly'], summary: 'the monthly report (月报) of a month (default the last one ended, Beijing time): text, --json, --html FILE (charts inline) or --xlsx FILE', load: async () => (await import('./commands/report.ts')).reportMonthlyCommand },
  { path: ['report', 'annual'], summary: 'the annual report (年报) of a year (default the last one ended, Beijing time): text, --json, --html FILE (charts inline) or --xlsx FILE', load: async () => (await import('./commands/report.ts')).reportAnnualCommand },
  { path: ['quarantine', 'list'], summary: 'rejected input with its reason (newest first)', load: async () => (await import('./commands/quarantine.ts')).quarantineListCommand },
  { path: ['quarantine', 'show'], summary: 'one quarantined item with its raw input', load: async () => (await import('./commands/quarantine.ts')).quarantineShowCommand },
  { path: ['quarantine', 'replay'], summary: 'run quarantined readings through validation and storage again', load: async () => (await import('./commands/quarantine.ts')).quarantineReplayCommand },
  { path: ['quarantine', 'discard'], summary: 'close quarantined items that will never be replayed (kept, marked discarded)', load: async () => (await import('./commands/quarantine.ts')).quarantineDiscardCommand },
  { path: ['tokens', 'create'], summary: 'create a bearer token for the HTTP API (shown only once; only its SHA-256 is stored)', load: async () => (await import('./commands/tokens.ts')).tokensCreateCommand },
  { path: ['tokens', 'list'], summary: 'API tokens: name, created, last used, revoked (never the tokens themselves)', load: async () => (await import('./commands/tokens.ts')).tokensListCommand },
  { path: ['tokens', 'revoke'], summary: 'revoke an API token: requests with it get 403 from then on', load: async () => (await import('./commands/tokens.ts')).tokensRevokeCommand },
  { path: ['users', 'add'], summary: 'add a console user; prints a one-time password (shown only once, to be changed at first sign-in)', load: async () => (await import('./commands/users.ts')).usersAddCommand },
  { path: ['users', 'list'], summary: 'console users: name, role, whether active, when created and when the password was last set', load: async () => (await import('./commands/users.ts')).usersListCommand },
  { path: ['users', 'disable'], summary: 'disable a console user: their sessions end at once and they can no longer sign in', load: async () => (await import('./commands/users.ts')).usersDisableCommand },
  { path: ['users', 'passwd'], summary: "give a console user a new one-time password (shown only once); the user's sessions end", load: async () => (await import('./commands/users.ts')).usersPasswdCommand },
];
