import { acknowledgeOpenAlert } from '../../db/repositories/alert-actions.repository.ts';
import { formatBeijing } from '../../lib/time.ts';
import { originMark } from '../../lib/data-origin.ts';
import { alertsQuery, alertWithHistory } from '../../queries/alerts-query.ts';
import { alertJudgement } from '../alert-judgement.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

export const alertsListCommand: Command = {
  path: ['alerts', 'list'],
  summary: 'alerts, open ones by default (newest first)',
  usage: 'envmon alerts list [--all] [--limit N] [--json]',
  options: {
    all: { type: 'boolean', default: false, description: 'resolved alerts too, not only open ones' },
    limit: { type: 'string', default: '100', value: 'N', description: 'show at most N alerts' },
    json: { type: 'boolean', default: false, description: 'print the alerts as JSON' },
  },
  examples: ['envmon alerts list', 'envmon alerts list --all --limit 20 --json'],
  run: async ({ values }, context) =>
    withDatabase(context, async ({ db }) => {
      const alerts = await alertsQuery(db, { all: values.all === true, limit: Number(values.limit) || 100 });
      if (values.json) context.out(JSON.stringify(alerts, null, 2));
      else {
        if (alerts.length === 0) context.out(values.all ? 'no alerts' : 'no open alerts');
        for (const a of alerts) {
          const e = (a.evidence ?? {}) as Record<string, unknown>;
          const subject = a.siteName ?? a.site ?? (typeof e.source === 'string' ? e.source : '-');
          // Demonstration data is named before the site, so a simulated exceedance is never read as a real one; then
          // what the alert is judged against (limit, target class, silence) and where its value stands.
          context.out(`${String(a.id).padStart(5)}  ${a.state.padEnd(8)} ${a.severity.padEnd(8)} ${originMark(a.origin)}${subject} ${alertJudgement({ parameter: a.parameter, ...e }, a.state)}  since ${formatBeijing(a.first_seen_at)}${a.acknowledged_at ? '  acknowledged' : ''}${a.late ? '  late data' : ''}`);
        }
      }
      return 0;
    }),
};

export const alertsShowCommand: Command = {
  path: ['alerts', 'show'],
  summary: 'one alert with its evidence and full history',
  usage: 'envmon alerts show ID [--json]',
  options: { json: { type: 'boolean', default: false, description: 'print the alert, its evidence and history as JSON' } },
  examples: ['envmon alerts show 42'],
  run: async ({ values, positionals }, context) =>
    withDatabase(context, async ({ db }) => {
      const id = Number(positionals[0]);
      const alert = Number.isInteger(id) ? await alertWithHistory(db, id) : undefined;
      if (!alert) throw new UsageError(`no alert ${positionals[0] ?? ''}`);
      if (values.json) context.out(JSON.stringify(alert, null, 2));
      else {
        context.out(`${originMark(alert.origin)}alert ${alert.id} ${alert.rule_id} ${alert.state} (${alert.severity})${alert.originLabel ? `  data: ${alert.originLabel}, not measured` : ''}`);
        context.out(`evidence: ${JSON.stringify(alert.evidence)}`);
        for (const h of alert.history) context.out(`  ${formatBeijing(h.at)}  ${h.from_state ?? '-'} → ${h.to_state}${h.note ? `  ${h.note}` : ''}`);
      }
      return 0;
    }),
};

export const alertsAckCommand: Command = {
  path: ['alerts', 'ack'],
  summary: 'acknowledge an open alert with a note',
  usage: 'envmon alerts ack ID --by NAME [--note TEXT]',
  options: {
    by: { type: 'string', value: 'NAME', description: 'who acknowledges (required)' },
    note: { type: 'string', value: 'TEXT', description: 'what is being done about it' },
  },
  examples: ['envmon alerts ack 42 --by 王工 --note "采样管路清洗中"'],
  run: async ({ values, positionals }, context) => {
    if (typeof values.by !== 'string' || values.by.trim() === '') throw new UsageError('--by NAME is required');
    const by = values.by;
    return withDatabase(context, async ({ db }) => {
      const id = Number(positionals[0]);
      const note = typeof values.note === 'string' ? values.note : null;
      const updated = await db.transaction().execute(async (trx) => acknowledgeOpenAlert(trx, Number.isInteger(id) ? id : 0, by, note));
      if (!updated) throw new UsageError(`no open alert ${positionals[0] ?? ''}`);
      context.out(`alert ${updated.id} acknowledged`);
      return 0;
    });
  },
};
