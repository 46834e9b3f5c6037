/**
 * From the notification outbox to people: route each new outbox row to the recipients whose subscriptions match
 * (one delivery per recipient and channel, held back by the group window and quiet hours), then send what is due —
 * deliveries due together for one recipient and channel as one message. At least once: a delivery is marked sent
 * only after the server accepted it; a failure is retried with exponential backoff, and after `maxAttempts` it is
 * failed (visible in `envmon notifications list --failed`, re-sent by `envmon notifications retry`). A message keeps
 * its Message-ID across attempts, so a receiver can drop a repeat.
 */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import type { RecipientConfig } from '../config/schema.ts';
import { leaseDeliveryGroup, lockDueDeliveries, lockFreeDeliveries, markDeliveriesSent, recordDeliveryFailure, settleOutbox } from '../db/repositories/delivery-sending.repository.ts';
import { outboxItemRows, outboxPayload } from '../db/repositories/notification-content.repository.ts';
import { insertDeliveries, lockUnroutedOutbox, markOutboxRouted, type NewDelivery } from '../db/repositories/outbox-routing.repository.ts';
import { firingAlerts, insertReminders } from '../db/repositories/reminders.repository.ts';
import { seriesNormalHours } from '../db/repositories/series.repository.ts';
import type { Database, DeliveryChannel } from '../db/schema.ts';
import type { Logger } from '../lib/logger.ts';
import type { Metrics } from '../lib/metrics.ts';
import { HOUR_MS } from '../lib/time.ts';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';
import { buildDailyReport } from '../reports/daily-report.ts';
import { dailyReportChart, renderDailyReport } from '../reports/daily-report-render.ts';
import { dayReadingsCsv } from '../reports/day-readings-csv.ts';
import type { MailChannel } from './channels/mail.ts';
import { sendPeriodReport } from './period-report-mail.ts';
import { sendWebhook, type WebhookTarget } from './channels/webhooks.ts';
import { releaseTime, subscribes } from './routing.ts';
import { alertLinkOrNull } from './alert-actions.ts';
import { renderMessage, type NotificationItem } from './templates.ts';
import { pushTo } from '../lib/collections.ts';

export interface NotifyDeps {
  readonly db: Kysely<Database>;
  readonly config: AppConfig;
  readonly parameterIds: ParameterIds;
  readonly mail: MailChannel;
  readonly log: Logger;
  /** Counts deliveries sent and failed; absent in a process without metrics (the CLI). */
  readonly metrics?: Metrics;
  now(): Date;
}

/**
 * How long a claimed delivery is reserved for the run that claimed it; after that another run may claim it. A
 * group being sent is protected by its row locks (sendGroup), not by this lease, so a send may outlast it.
 */
const LEASE_MS = 10 * 60_000;

export async function routeOutbox(deps: NotifyDeps): Promise<number> {
  const now = deps.now();
  const { config } = deps;
  return deps.db.transaction().execute(async (trx) => {
    const rows = await lockUnroutedOutbox(trx);
    const deliveries: NewDelivery[] = [];
    for (const row of rows) {
      const severity = row.severity ?? 'warning';
      const facts = { rule: row.rule_id ?? '', severity, site: row.site ? { code: row.site, kind: row.site_kind ?? '', area: row.area ?? '' } : null, parameter: row.parameter };
      const only = typeof row.payload.recipient === 'string' ? row.payload.recipient : null;
      for (const recipient of config.recipients) {
        if (row.kind === 'daily_summary') {
          // The daily summary goes by mail to everyone who takes it (it is not an alert: no quiet hours).
          const due = new Date(now.getTime() + config.notifications.summaryDelaySeconds * 1000);
          if (recipient.dailySummary && recipient.email) deliveries.push({ outbox_id: row.id, recipient: recipient.id, channel: mailChannelOf(deps.mail), next_attempt_at: due });
          continue;
        }
        if (row.kind === 'period_report') {
          // Monthly and annual reports go by mail to those who opted in, after the same delay as the daily summary.
          const due = new Date(now.getTime() + config.notifications.summaryDelaySeconds * 1000);
          if (recipient.periodReports && recipient.email) deliveries.push({ outbox_id: row.id, recipient: recipient.id, channel: mailChannelOf(deps.mail), next_attempt_at: due });
          continue;
        }
        if (only !== null ? recipient.id !== only : !subscribes(recipient, facts)) continue;
        const due = releaseTime(new Date(now.getTime() + config.notifications.groupSeconds * 1000), severity, recipient.quietHours);
        for (const channel of channelsOf(recipient, deps.mail)) deliveries.push({ outbox_id: row.id, recipient: recipient.id, channel, next_attempt_at: due });
      }
    }
    if (deliveries.length > 0) await insertDeliveries(trx, deliveries);
    if (rows.length > 0) await markOutboxRouted(trx, rows.map((r) => r.id), now);
    return deliveries.length;
  });
}

function channelsOf(recipient: RecipientConfig, mail: MailChannel): DeliveryChannel[] {
  return [...(recipient.email ? [mailChannelOf(mail)] : []), ...new Set(recipient.webhooks.map((w) => w.kind))];
}

const mailChannelOf = (mail: MailChannel): DeliveryChannel => (mail.kind === 'smtp' ? 'email' : 'file');

/**
 * Reminders: while an alert stays firing, a recipient with `repeatHours` gets it again every that many hours after
 * it fired (an outbox row per reminder and recipient, so each goes out once).
 */
export async function queueReminders(deps: NotifyDeps): Promise<number> {
  const now = deps.now();
  const repeating = deps.config.recipients.filter((r) => r.repeatHours !== undefined);
  if (repeating.length === 0) return 0;
  const firing = await firingAlerts(deps.db);
  const reminders = firing.flatMap((alert) =>
    repeating.flatMap((recipient) => {
      const n = Math.floor((now.getTime() - (alert.fired_at as Date).getTime()) / ((recipient.repeatHours as number) * HOUR_MS));
      return n < 1 ? [] : [{ kind: 'reminder' as const, alert_id: alert.id, dedup_key: `alert:${alert.id}:reminder:${recipient.id}:${n}`, payload: JSON.stringify({ ...(alert.evidence as object), recipient: recipient.id, reminder: n }) }];
    }),
  );
  if (reminders.length === 0) return 0;
  // Due every minute while an alert fires: one statement; reminders already queued are left alone.
  return insertReminders(deps.db, reminders);
}

interface Claimed {
  id: number;
  outbox_id: number;
  kind: string;
  recipient: string;
  channel: DeliveryChannel;
  attempts: number;
  group_key: string;
}

/** Reserves the due deliveries (a lease) and fixes their grouping; a group is one message. */
async function claimDue(db: Kysely<Database>, now: Date, limit: number): Promise<Map<string, Claimed[]>> {
  return db.transaction().execute(async (trx) => {
    const due = await lockDueDeliveries(trx, now, limit);
    const groups = new Map<string, Claimed[]>();
    const firstNew = new Map<string, number>();
    for (const d of due) {
      let key = d.group_key;
      if (key === null) {
        // New deliveries due together for one recipient and channel form one message, named by its first delivery.
        // A daily summary or a period report is a message of its own, never grouped with alerts.
        const slot = `${d.recipient}.${d.channel}${d.kind === 'daily_summary' ? `.summary${d.id}` : d.kind === 'period_report' ? `.report${d.id}` : ''}`;
        if (!firstNew.has(slot)) firstNew.set(slot, d.id);
        key = `${slot}.${firstNew.get(slot) ?? d.id}`;
      }
      pushTo(groups, key, { ...d, group_key: key });
    }
    for (const [key, list] of groups) {
      await leaseDeliveryGroup(trx, list.map((d) => d.id), key, new Date(now.getTime() + LEASE_MS));
    }
    return groups;
  });
}

export interface DeliveryRun {
  sent: number;
  retrying: number;
  failed: number;
}

export async function deliverDue(deps: NotifyDeps, limit = 500): Promise<DeliveryRun> {
  const run: DeliveryRun = { sent: 0, retrying: 0, failed: 0 };
  const groups = await claimDue(deps.db, deps.now(), limit);
  for (const [key, list] of groups) {
    const outcome = await sendGroup(deps, key, list);
    if (outcome === 'taken') continue;
    run[outcome] += list.length;
    // A group is one recipient on one channel: its deliveries count on that channel.
    const channel = list[0]?.channel;
    if (channel === undefined) continue;
    if (outcome === 'sent') deps.metrics?.notificationDeliveries.inc({ channel }, list.length);
    else deps.metrics?.notificationDeliveryFailures.inc({ channel, outcome }, list.length);
  }
  await settleOutbox(deps.db, [...groups.values()].flat().map((d) => d.outbox_id));
  return run;
}

/**
 * Sends one group as one message, in a transaction that holds its deliveries' row locks from before the send until
 * they are marked: another notify run skips locked deliveries when it claims (claimDue), so however long the send
 * takes — past the lease, a slow server, a big batch — no other run sends the group meanwhile. The group is sent
 * only if its deliveries are still as claimed (pending, same attempt): a run whose lease ran out finds a group
 * another run has taken over, sent or retried, and leaves it. A crash before the commit leaves them pending: sent
 * again later with the same Message-ID, the receiver may drop the repeat.
 */
async function sendGroup(deps: NotifyDeps, key: string, list: readonly Claimed[]): Promise<'sent' | 'retrying' | 'failed' | 'taken'> {
  const recipient = deps.config.recipients.find((r) => r.id === list[0]?.recipient);
  const channel = list[0]?.channel as DeliveryChannel;
  const ids = list.map((d) => d.id);
  const attempts = Math.max(...list.map((d) => d.attempts)) + 1;
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const current = await lockFreeDeliveries(trx, ids);
    const claimed = new Map(list.map((d) => [d.id, d.attempts]));
    if (current.length !== ids.length || current.some((d) => d.status !== 'pending' || d.attempts !== claimed.get(d.id))) return { result: 'taken' as const };
    try {
      if (!recipient) throw new Error('recipient no longer configured');
      const summary = list.find((d) => d.kind === 'daily_summary');
      const periodReport = list.find((d) => d.kind === 'period_report');
      if (summary) await sendDailySummary(deps, recipient, key, summary.outbox_id);
      else if (periodReport) await sendPeriodReport(deps, recipient, messageId(deps.config, key), periodReport.outbox_id);
      else await send(deps, recipient, channel, key, await notificationItems(deps.db, list.map((d) => d.outbox_id)));
      await markDeliveriesSent(trx, ids, { at: deps.now(), attempts, messageId: messageId(deps.config, key) });
      return { result: 'sent' as const };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const failed = attempts >= deps.config.notifications.maxAttempts || !recipient;
      // Backoff: backoffSeconds × 2^(attempts − 1), at most an hour.
      const delay = Math.min(HOUR_MS, deps.config.notifications.backoffSeconds * 1000 * 2 ** (attempts - 1));
      await recordDeliveryFailure(trx, ids, { attempts, error: reason, retryAt: failed ? null : new Date(deps.now().getTime() + delay) });
      return { result: failed ? ('failed' as const) : ('retrying' as const), reason };
    }
  });
  if (outcome.result === 'failed' || outcome.result === 'retrying') {
    deps.log.warn(outcome.result === 'failed' ? 'notification failed for good' : 'notification not delivered; will retry', { recipient: list[0]?.recipient, channel, attempts, reason: outcome.reason });
  }
  return outcome.result;
}

/** Stable for a message: the same group is the same message, whatever the attempt. */
export function messageId(config: AppConfig, groupKey: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(config.notifications.from)?.[1] ?? 'envmon.localhost';
  return `<envmon.${groupKey.replace(/[^A-Za-z0-9.-]/g, '_')}@${domain}>`;
}

async function send(deps: NotifyDeps, recipient: RecipientConfig, channel: DeliveryChannel, key: string, items: NotificationItem[]): Promise<void> {
  const message = renderMessage(items, { language: recipient.language, linkBase: deps.config.notifications.linkBase });
  if (channel === 'email' || channel === 'file') {
    if (!recipient.email) throw new Error('recipient has no email address');
    await deps.mail.send({ from: deps.config.notifications.from, to: recipient.email, subject: message.subject, text: message.text, html: message.html, messageId: messageId(deps.config, key) });
    return;
  }
  const webhook = recipient.webhooks.find((w) => w.kind === channel);
  const url = webhook ? deps.config.channelSecrets[webhook.urlEnv] : undefined;
  if (!webhook || !url) throw new Error(`no ${channel} channel configured`);
  const target: WebhookTarget = { kind: webhook.kind, urlEnv: webhook.urlEnv, url, secret: webhook.secretEnv ? deps.config.channelSecrets[webhook.secretEnv] : undefined };
  await sendWebhook(target, { id: messageId(deps.config, key), subject: message.subject, markdown: message.markdown, items: items.map((i) => ({ kind: i.kind, alertId: i.alertId, severity: i.severity, evidence: i.evidence, link: alertLinkOrNull(i.alertId, deps.config.notifications.linkBase) })) }, { timeoutMs: deps.config.notifications.timeoutMs, now: deps.now() });
}

async function sendDailySummary(deps: NotifyDeps, recipient: RecipientConfig, key: string, outboxId: number): Promise<void> {
  if (!recipient.email) throw new Error('recipient has no email address');
  const date = ((await outboxPayload(deps.db, outboxId)) as { date: string }).date;
  const report = await buildDailyReport(deps.db, deps.config, deps.parameterIds, date, deps.now());
  const chart = dailyReportChart(report, deps.log);
  const { subject, text, html } = renderDailyReport(report, chart ? 'cid:chart@envmon' : null);
  await deps.mail.send({
    from: deps.config.notifications.from,
    to: recipient.email,
    subject,
    text,
    html,
    messageId: messageId(deps.config, key),
    attachments: [
      ...(chart ? [{ filename: `pm25-${date}.png`, content: chart, contentType: 'image/png', cid: 'chart@envmon' }] : []),
      { filename: `envmon-${date}.csv`, content: await dayReadingsCsv(deps.db, date), contentType: 'text/csv; charset=utf-8' },
    ],
  });
}

/** The outbox rows of a message, with their site and the parameter's last 24 hours. */
async function notificationItems(db: Kysely<Database>, outboxIds: readonly number[]): Promise<NotificationItem[]> {
  const rows = await outboxItemRows(db, outboxIds);
  const items: NotificationItem[] = [];
  for (const r of rows) {
    const time = typeof r.payload.time === 'string' ? new Date(r.payload.time) : null;
    const trend =
      r.site_id !== null && r.parameter_id !== null && time !== null
        ? (await seriesNormalHours(db, r.site_id, r.parameter_id, new Date(time.getTime() - 24 * HOUR_MS), time)).map((t) => ({ time: t.observed_at, value: t.value }))
        : [];
    items.push({
      kind: r.kind,
      alertId: r.alert_id,
      severity: r.severity ?? 'warning',
      evidence: r.payload,
      site: r.code ? { code: r.code, nameZh: r.name_zh ?? r.code, nameEn: r.name_en ?? r.code, kind: r.site_kind ?? '' } : null,
      trend,
    });
  }
  return items;
}
