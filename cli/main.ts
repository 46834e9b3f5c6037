/** `envmon` command line: finds the command, loads the configuration once and runs it. */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config-error.ts';
import { loadConfig } from '../config/load-config.ts';
import { createLogger } from '../lib/logger.ts';
import { UsageError, type Command } from './command.ts';
import { aqiCommand, statsCommand } from './commands/air-queries.ts';
import { alertsAckCommand, alertsListCommand, alertsShowCommand } from './commands/alerts.ts';
import { aggregatesRebuildCommand } from './commands/aggregates.ts';
import { backfillCommand } from './commands/backfill.ts';
import { alertsSilenceCommand, alertsSilencesCommand, alertsUnsilenceCommand } from './commands/silences.ts';
import { targetsCommand } from './commands/targets.ts';
import { importCommand } from './commands/import.ts';
import { migrateCommand } from './commands/migrate.ts';
import { reportDailyCommand } from './commands/report.ts';
import { notificationsListCommand, notificationsRetryCommand } from './commands/notifications.ts';
import { quarantineDiscardCommand, quarantineListCommand, quarantineReplayCommand, quarantineShowCommand } from './commands/quarantine.ts';
import { sourcesDisableCommand, sourcesEnableCommand, sourcesListCommand, sourcesShowCommand, sourcesTestCommand } from './commands/sources.ts';
import { startCommand } from './commands/start.ts';
import { statusCommand } from './commands/status.ts';
import { tokensCommands } from './commands/tokens.ts';

const commands: readonly Command[] = [
  startCommand,
  migrateCommand,
  statusCommand,
  sourcesListCommand,
  sourcesShowCommand,
  sourcesTestCommand,
  sourcesEnableCommand,
  sourcesDisableCommand,
  importCommand,
  backfillCommand,
  aqiCommand,
  statsCommand,
  targetsCommand,
  alertsListCommand,
  alertsShowCommand,
  alertsAckCommand,
  alertsSilenceCommand,
  alertsSilencesCommand,
  alertsUnsilenceCommand,
  aggregatesRebuildCommand,
  notificationsListCommand,
  notificationsRetryCommand,
  reportDailyCommand,
  quarantineListCommand,
  quarantineShowCommand,
  quarantineReplayCommand,
  quarantineDiscardCommand,
  ...tokensCommands,
];

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Promise<number> {
  // A reader that stops early (`| head`) closes stdout: stop writing, but let the command finish and clean up
  // (an embedded database it started must still be stopped).
  let stdoutClosed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdoutClosed = true;
  });
  const out = (text: string) => {
    if (!stdoutClosed) process.stdout.write(text + '\n');
  };
  const words = argv.filter((a) => !a.startsWith('-'));
  const command = [...commands].sort((a, b) => b.path.length - a.path.length).find((c) => c.path.every((p, i) => words[i] === p));

  if (!command) {
    const wantsHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h') || words[0] === 'help';
    const group = commands.filter((c) => c.path[0] === words[0]);
    if (wantsHelp || group.length > 0) {
      out(helpText(group.length > 0 ? group : commands));
      return wantsHelp ? 0 : 1;
    }
    process.stderr.write(`envmon: unknown command "${words.join(' ')}" (see envmon --help)\n`);
    return 1;
  }

  const rest = argv.slice(argv.indexOf(command.path[command.path.length - 1] ?? '') + 1);
  let args: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    const parsed = parseArgs({ args: [...rest], options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    args = { values: parsed.values, positionals: parsed.positionals };
  } catch (error) {
    process.stderr.write(`envmon: ${error instanceof Error ? error.message : String(error)} (see ${command.usage.split(' ').slice(0, command.path.length + 1).join(' ')} --help)\n`);
    return 1;
  }
  if (args.values.help) {
    out(`${command.usage}\n\n  ${command.summary}\n${optionHelp(command)}`);
    return 0;
  }

  try {
    const config = loadConfig(env, cwd);
    // The service logs JSON lines to stdout; other commands keep stdout for their output and log to stderr.
    const isService = command === startCommand;
    const log = createLogger({
      level: isService ? config.logLevel : 'warn',
      secrets: config.secrets,
      write: isService ? undefined : (line) => process.stderr.write(line + '\n'),
    });
    return await command.run(args, { config, log, out });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`envmon: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`envmon: ${error instanceof UsageError ? '' : 'error: '}${message.split('\n')[0]}\n`);
    return 1;
  }
}

function helpText(list: readonly Command[]): string {
  const width = Math.max(...list.map((c) => c.path.join(' ').length));
  return [
    'envmon — air and water quality monitoring against China\'s standards and plan targets',
    '',
    'usage: envmon <command> [options]   (envmon <command> --help for its options)',
    '',
    ...list.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

function optionHelp(command: Command): string {
  const entries = Object.entries(command.options);
  if (entries.length === 0) return '';
  return '\noptions:\n' + entries.map(([name, o]) => `  --${name}${o.type === 'string' ? ' VALUE' : ''}`).join('\n');
}
