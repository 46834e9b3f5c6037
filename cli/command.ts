/** The shape of a CLI command; `cli/command-list.ts` lists them for `cli/main.ts`. */
import type { ParseArgsConfig } from 'node:util';
import type { ConfigProblem } from '../config/config-error.ts';
import type { AppConfig } from '../config/load-config.ts';
import type { Logger } from '../lib/logger.ts';

export interface CommandContext {
  readonly config: AppConfig;
  readonly log: Logger;
  readonly out: (text: string) => void;
  /** A note for the person at the terminal (stderr), such as a range cut short at the present; absent: not shown. */
  readonly note?: (text: string) => void;
  /** Problems of the configuration: empty or absent, except for a command that reports them itself. */
  readonly configProblems?: readonly ConfigProblem[];
}

/** One option: node's parseArgs settings, and what `--help` says about it. */
export type CommandOption = NonNullable<ParseArgsConfig['options']>[string] & {
  /** What the option does, shown by `--help`. */
  readonly description: string;
  /** The value's placeholder in `--help`, e.g. CODE or TIME (string options; default VALUE). */
  readonly value?: string;
};

export interface Command {
  /** Words that select the command, e.g. ['sources', 'list']. */
  readonly path: readonly string[];
  readonly summary: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, CommandOption>>;
  /** Command lines shown under "examples" by `--help`. */
  readonly examples: readonly string[];
  /** More help after the options (how times are read, what is printed). */
  readonly notes?: string;
  /** The command judges the configuration itself (`config check`): problems reach it instead of stopping it. */
  readonly reportsConfigProblems?: boolean;
  /** Resolves to the exit code. */
  run(args: { values: Record<string, string | boolean | undefined>; positionals: string[] }, context: CommandContext): Promise<number>;
}

/** A failure the user can act on: printed as one line, exit code 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}
