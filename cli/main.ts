/** `envmon` command line: finds the command, loads the configuration once and runs it. */
import { parseArgs } from 'node:util';
import packageJson from '../package.json' with { type: 'json' };
import { ConfigError, formatProblems } from '../config/config-error.ts';
import { createLogger } from '../lib/logger.ts';
import { compiledBuildId } from '../lib/project-root.ts';
import { nearMisses } from '../lib/near-miss.ts';
import { UsageError, type Command } from './command.ts';
import { commandList } from './command-list.ts';
import { commandHelp, overviewHelp } from './help.ts';

// A reader that stops early (`| head`) closes stdout: stop writing, but let the command finish and clean up (an
// embedded database it started must still be stopped).
let stdoutClosed = false;
let watchingStdout = false;

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Promise<number> {
  if (!watchingStdout) {
    watchingStdout = true;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      stdoutClosed = true;
    });
  }
  const out = (text: string) => {
    if (!stdoutClosed) process.stdout.write(text + '\n');
  };
  const fail = (text: string) => process.stderr.write(`envmon: ${text}\n`);
  if (argv[0] === '--version' || argv[0] === '-V') {
    out(`envmon ${packageJson.version}`);
    return 0;
  }
  const words = argv.filter((a) => !a.startsWith('-'));
  const entry = [...commandList].sort((a, b) => b.path.length - a.path.length).find((c) => c.path.every((p, i) => words[i] === p));

  if (!entry) {
    const wantsHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h') || words[0] === 'help';
    const group = commandList.filter((c) => c.path[0] === words[0]);
    if (wantsHelp || (group.length > 0 && words.length === 1)) {
      out(overviewHelp(group.length > 0 ? group : commandList));
      return wantsHelp ? 0 : 1;
    }
    const see = group.length > 0 ? `envmon ${words[0] ?? ''} --help` : 'envmon --help';
    const guess = guessCommand(words);
    fail(guess ? `unknown command "${guess.typed}"; did you mean ${guess.meant}? (see ${see})` : `unknown command "${words.join(' ')}" (see ${see})`);
    return 1;
  }

  const command = await entry.load();
  const name = `envmon ${entry.path.join(' ')}`;
  const rest = argv.slice(argv.indexOf(entry.path[entry.path.length - 1] ?? '') + 1);
  let args: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    const parsed = parseArgs({ args: [...rest], options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    args = { values: parsed.values, positionals: parsed.positionals };
  } catch (error) {
    fail(`${optionError(error, command, name)} (see ${name} --help)`);
    return 1;
  }
  if (args.values.help) {
    out(commandHelp(command));
    return 0;
  }

  try {
    const isService = name === 'envmon start';
    // A one-off command validates a few values with each schema: zod's compiled validators (code generated on first
    // use) cost more to build than they save. The service validates every job payload and keeps them.
    if (!isService) (await import('zod')).config({ jitless: true });
    // Loaded here, not at the top: zod, yaml and the configuration schema are not needed for --help.
    const { checkConfigKept } = await import('../config/config-cache.ts');
    // One check of the configuration for every command: `config check` shows its problems, the others stop on them.
    // The files' check is kept while they stay the same, except for `config check`, which always reads them afresh.
    const codeVersion = command.reportsConfigProblems ? null : compiledBuildId();
    const { config, problems } = await checkConfigKept(env, cwd, { codeVersion });
    if (problems.length > 0 && !command.reportsConfigProblems) throw new ConfigError(problems);
    // The service logs JSON lines to stdout; other commands keep stdout for their output and log to stderr.
    const log = createLogger({
      level: isService ? config.logLevel : 'warn',
      secrets: config.secrets,
      write: isService ? undefined : (line) => process.stderr.write(line + '\n'),
    });
    return await command.run(args, { config, log, out, note: fail, configProblems: problems });
  } catch (error) {
    if (error instanceof ConfigError) {
      fail(formatProblems(error.problems));
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    fail(`${error instanceof UsageError ? '' : 'error: '}${message.split('\n')[0] ?? ''}`);
    return 1;
  }
}

/** The command meant by mistyped words: `alert list` → "alerts list". */
function guessCommand(words: readonly string[]): { typed: string; meant: string } | undefined {
  const lengths = [...new Set(commandList.map((c) => c.path.length))].sort((a, b) => b - a);
  for (const n of lengths) {
    if (words.length < n) continue;
    const typed = words.slice(0, n).join(' ');
    const near = nearMisses(typed, commandList.filter((c) => c.path.length === n).map((c) => c.path.join(' ')));
    if (near.length > 0) return { typed, meant: near.map((m) => `"${m}"`).join(' or ') };
  }
  return undefined;
}

/** parseArgs' complaint, naming the option and, for a misspelt one, the option meant. */
function optionError(error: unknown, command: Command, name: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const flag = /'(-{1,2}[^'= ]+)/.exec(message)?.[1];
  if (code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || !flag) return message;
  const known = [...Object.keys(command.options), 'help'].map((o) => `--${o}`);
  const near = nearMisses(flag, known);
  return `unknown option ${flag} for "${name}"${near.length > 0 ? `; did you mean ${near.join(' or ')}?` : ''}`;
}
