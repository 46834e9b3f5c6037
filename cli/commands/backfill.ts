import { importRecords, type ImportSummary } from '../../evaluate/import-records.ts';
import { unfinished } from './import.ts';
import { HOUR_MS, formatBeijing } from '../../lib/time.ts';
import { createAdapter } from '../../sources/create-adapter.ts';
import { UsageError, type Command } from '../command.ts';
import { TIME_NOTE, timeFlag } from '../time-flag.ts';
import { withDatabase } from '../with-database.ts';

export const backfillCommand: Command = {
  path: ['backfill'],
  summary: 'fetch and store a past period of a source, window by window, and run the rules on it as on pulled data',
  usage: 'envmon backfill --source ID --from TIME --to TIME [--step-hours N] [--no-evaluate] [--json]',
  options: {
    source: { type: 'string', value: 'ID', description: 'the configured source to fetch from (required)' },
    from: { type: 'string', value: 'TIME', description: 'start of the period (required)' },
    to: { type: 'string', value: 'TIME', description: 'end of the period; a date alone means to its end (required)' },
    'step-hours': { type: 'string', default: '24', value: 'N', description: 'hours fetched per request' },
    'no-evaluate': { type: 'boolean', default: false, description: 'bulk history: store and refresh the rolling windows, but run no rules (no alert is opened or notified)' },
    json: { type: 'boolean', default: false, description: 'print the totals as JSON' },
  },
  examples: ['envmon backfill --source beijing-replay --from 2026-10-01 --to 2026-10-07', 'envmon backfill --source national --from 2026-11-01T00:00 --to 2026-11-02T00:00 --step-hours 6 --json'],
  notes: TIME_NOTE,
  run: async ({ values }, context) => {
    const { config } = context;
    const source = config.sources.find((s) => s.id === values.source);
    if (!source) throw new UsageError(`--source must name a configured source`);
    const adapter = createAdapter(source);
    if (!adapter) throw new UsageError(`${source.id} receives pushed data; replay its captures with envmon import --format hj212 --source ${source.id}`);
    const from = timeFlag('from', values.from)?.getTime() ?? Number.NaN;
    const to = timeFlag('to', values.to, 'end')?.getTime() ?? Number.NaN;
    if (Number.isNaN(from) || Number.isNaN(to) || from >= to) throw new UsageError('--from and --to are required, with --from before --to');
    const step = Number(values['step-hours']) * HOUR_MS;
    if (!Number.isFinite(step) || step <= 0) throw new UsageError('--step-hours must be a positive number');

    const progress = progressReporter(from, to);
    return withDatabase(
      context,
      async ({ storeDeps }) => {
        const total: ImportSummary = { parsed: 0, stored: 0, unchanged: 0, revised: 0, rejected: 0, reasons: {} };
        const controller = new AbortController();
        const evaluate = values['no-evaluate'] !== true;
        for (let start = from; start < to; start += step) {
          const end = Math.min(start + step, to);
          // Every window's batches leave windows-pending marks; the last window pays them all in one pass (windows,
          // and the rules unless --no-evaluate), as an import does.
          const last = end >= to;
          const summary = await importRecords(adapter.fetch({ since: new Date(start), until: new Date(end) }, controller.signal), storeDeps, { sourceId: source.id, recordHealth: false, evaluate, config, log: context.log, refreshAggregates: last });
          for (const key of ['parsed', 'stored', 'unchanged', 'revised', 'rejected'] as const) total[key] += summary[key];
          for (const [reason, n] of Object.entries(summary.reasons)) total.reasons[reason] = (total.reasons[reason] ?? 0) + n;
          if (summary.evaluation) total.evaluation = summary.evaluation;
          progress(end, total);
        }
        progress.done();
        const alerts = total.evaluation?.alerts;
        const judged = total.evaluation?.rules ? `; rules: ${alerts?.opened ?? 0} alerts opened, ${alerts?.late ?? 0} late exceedances` : '; rules not run (--no-evaluate)';
        context.out(values.json ? JSON.stringify(total, null, 2) : `parsed ${total.parsed}, stored ${total.stored}, unchanged ${total.unchanged}, revised ${total.revised}, rejected ${total.rejected}${judged}`);
        return unfinished(total.evaluation, context);
      },
      { poolSize: 4 },
    );
  },
};

/** A bar redrawn in place on a terminal; one plain line per window otherwise (logs, pipes). */
function progressReporter(from: number, to: number): ((at: number, total: ImportSummary) => void) & { done(): void } {
  const tty = process.stderr.isTTY;
  const report = (at: number, total: ImportSummary) => {
    const share = (at - from) / (to - from);
    const text = `${formatBeijing(new Date(at))} (Beijing time)  stored ${total.stored}, unchanged ${total.unchanged}, rejected ${total.rejected}`;
    if (tty) {
      const width = 30;
      const filled = Math.round(share * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${text}`);
    } else {
      process.stderr.write(`${String(Math.round(share * 100)).padStart(3)}%  ${text}\n`);
    }
  };
  return Object.assign(report, { done: () => (tty ? process.stderr.write('\n') : undefined) });
}
