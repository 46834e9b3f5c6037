import { listDeliveries, retryFailedDeliveries } from '../../db/repositories/deliveries.repository.ts';
import { formatBeijing } from '../../lib/time.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

export const notificationsListCommand: Command = {
  path: ['notifications', 'list'],
  summary: 'deliveries of notifications to recipients (newest first); --failed: those that gave up',
  usage: 'envmon notifications list [--failed] [--pending] [--limit N] [--json]',
  options: {
    failed: { type: 'boolean', default: false, description: 'only deliveries that gave up after their attempts' },
    pending: { type: 'boolean', default: false, description: 'only deliveries still waiting to be sent' },
    limit: { type: 'string', default: '100', value: 'N', description: 'show at most N deliveries' },
    json: { type: 'boolean', default: false, description: 'print the deliveries as JSON' },
  },
  examples: ['envmon notifications list --failed', 'envmon notifications list --pending --json'],
  run: async ({ values }, context) =>
    withDatabase(context, async ({ db }) => {
      const rows = await listDeliveries(db, { status: values.failed ? 'failed' : values.pending ? 'pending' : undefined, limit: Number(values.limit) || 100 });
      if (values.json) context.out(JSON.stringify(rows, null, 2));
      else {
        if (rows.length === 0) context.out(values.failed ? 'no failed notifications' : 'no notifications');
        for (const r of rows) {
          const when = r.sentAt ? `sent ${formatBeijing(r.sentAt)}` : r.status === 'pending' ? `next attempt ${formatBeijing(r.nextAttemptAt)}` : 'gave up';
          context.out(`${String(r.id).padStart(6)}  ${r.status.padEnd(7)} ${r.kind.padEnd(10)} alert ${r.alertId ?? '-'} → ${r.recipient} (${r.channel})  attempts ${r.attempts}  ${when}${r.lastError ? `  last error: ${r.lastError}` : ''}`);
        }
      }
      return 0;
    }),
};

export const notificationsRetryCommand: Command = {
  path: ['notifications', 'retry'],
  summary: 'send failed notifications again (at the next outbox run, with their original Message-ID)',
  usage: 'envmon notifications retry ID... | --all-failed',
  options: { 'all-failed': { type: 'boolean', default: false, description: 'every failed delivery instead of the IDs given' } },
  examples: ['envmon notifications retry 17 18', 'envmon notifications retry --all-failed'],
  run: async ({ values, positionals }, context) => {
    const ids = positionals.map(Number);
    if (values['all-failed'] !== true && (ids.length === 0 || ids.some((n) => !Number.isInteger(n) || n <= 0))) throw new UsageError('give delivery ids (from `envmon notifications list --failed`) or --all-failed');
    return withDatabase(context, async ({ db }) => {
      const result = await retryFailedDeliveries(db, values['all-failed'] === true ? 'all-failed' : ids);
      context.out(`${result.length} notification(s) queued again`);
      return 0;
    });
  },
};
