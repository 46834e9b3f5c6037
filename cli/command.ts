/** The shape of a CLI command; `cli/main.ts` holds the list. */
import type { ParseArgsConfig } from 'node:util';
import type { AppConfig } from '../config/load-config.ts';
import type { Logger } from '../lib/logger.ts';

export interface CommandContext {
  readonly config: AppConfig;
  readonly log: Logger;
  readonly out: (text: string) => void;
}

export interface Command {
  /** Words that select the command, e.g. ['sources', 'list']. */
  readonly path: readonly string[];
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Resolves to the exit code. */
  run(args: { values: Record<string, string | boolean | undefined>; positionals: string[] }, context: CommandContext): Promise<number>;
}

/** A failure the user can act on: printed as one line, exit code 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}
