/** Times given as command-line options: Beijing time unless a zone is given; impossible dates refused. */
import { parseTimeInput } from '../lib/time-input.ts';
import { endOfNaturalDay } from '../standards/natural-day.ts';
import { UsageError } from './command.ts';

/**
 * The instant an option names, or undefined when it was not given. A date alone is the start of that natural day,
 * or with `end` its end (24:00), so that `--to 2026-11-03` covers the 3rd.
 */
export function timeFlag(name: string, value: string | boolean | undefined, edge: 'start' | 'end' = 'start'): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = parseTimeInput(value);
  if ('error' in parsed) throw new UsageError(`--${name} ${JSON.stringify(value)}: ${parsed.error}`);
  return edge === 'end' && parsed.date ? endOfNaturalDay(parsed.date) : parsed.instant;
}

/** How `--help` explains times. */
export const TIME_NOTE = 'times: YYYY-MM-DD or YYYY-MM-DDTHH:MM, in Beijing time (UTC+8) unless they end in Z or an offset such as +08:00.';
