/** The `recipients[]` and `notifications` of a configuration file: who is told, by which channel, how often. */
import { z } from 'zod';
import { code, cronExpression, envName, siteKinds } from './schema-common.ts';

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day HH:MM (Beijing time)');

/** A chat or HTTP channel; its URL (which embeds the robot's key) and signing secret come from the environment. */
export const webhookChannelSchema = z.strictObject({
  /** webhook: JSON body with an HMAC-SHA256 signature header; wecom / dingtalk: their group-robot markdown messages. */
  kind: z.enum(['webhook', 'wecom', 'dingtalk']),
  urlEnv: envName,
  /** webhook: the HMAC key; dingtalk: the robot's signing secret (加签). */
  secretEnv: envName.optional(),
});
export type WebhookChannelConfig = z.infer<typeof webhookChannelSchema>;

/** Which alerts a recipient receives: every listed criterion must match (an empty subscription matches all). */
export const subscriptionSchema = z.strictObject({
  areas: z.array(z.string().min(1)).optional(),
  siteKinds: z.array(z.enum(siteKinds)).optional(),
  sites: z.array(code).optional(),
  parameters: z.array(z.string().min(1)).optional(),
  rules: z.array(code).optional(),
  minSeverity: z.enum(['info', 'warning', 'critical']).default('info'),
});
export type SubscriptionConfig = z.infer<typeof subscriptionSchema>;

export const recipientSchema = z
  .strictObject({
    id: code,
    name: z.string().min(1),
    language: z.enum(['zh-CN', 'en']).default('zh-CN'),
    email: z.email().optional(),
    webhooks: z.array(webhookChannelSchema).default([]),
    subscriptions: z.array(subscriptionSchema).default([{ minSeverity: 'info' }]),
    /** Non-critical messages due in these hours wait until they end (Beijing time; may span midnight). */
    quietHours: z.strictObject({ from: clock, to: clock }).optional(),
    /** Remind every N hours while an alert stays firing. */
    repeatHours: z.number().int().min(1).max(168).optional(),
    /** Receives the daily summary. */
    dailySummary: z.boolean().default(true),
    /** Receives the monthly and annual reports (opt in). */
    periodReports: z.boolean().default(false),
  })
  .refine((r) => r.email !== undefined || r.webhooks.length > 0, 'an email address or at least one webhook');
export type RecipientConfig = z.infer<typeof recipientSchema>;

export const notificationsSchema = z.strictObject({
  /** The From of every mail. */
  from: z.string().min(3).default('envmon <envmon@localhost>'),
  /**
   * Attempts per message before it is marked failed (then `envmon notifications retry`). With the default backoff
   * (30 s doubling, at most an hour between attempts) 24 attempts span about 17 hours: a mail server down for an
   * afternoon or a night loses nothing.
   */
  maxAttempts: z.number().int().min(1).max(50).default(24),
  /** First retry delay in seconds; doubles with each attempt, at most an hour. */
  backoffSeconds: z.number().int().min(1).max(3600).default(30),
  /** Messages to one recipient due within this many seconds go out as one (a burst becomes one message). */
  groupSeconds: z.number().int().min(0).max(3600).default(60),
  /** Where the outbox is checked for due messages. */
  schedule: cronExpression.default('* * * * *'),
  /** When the daily summary of the day before goes out (Beijing time); missed runs are caught up at start-up. */
  dailySummarySchedule: cronExpression.default('0 8 * * *'),
  /** When the monthly report of the month before goes out (Beijing time); default the 2nd at 09:00. */
  monthlyReportSchedule: cronExpression.default('0 9 2 * *'),
  /** When the annual report of the year before goes out (Beijing time); default 5 January at 09:00. */
  annualReportSchedule: cronExpression.default('0 9 5 1 *'),
  /**
   * Seconds a queued daily summary waits before it is built and sent, so that one caught up at start-up follows
   * the first pulls (which fetch the hours missed while envmon was down).
   */
  summaryDelaySeconds: z.number().int().min(0).max(3600).default(300),
  /**
   * The console's address as readers reach it, e.g. https://envmon.example.gov.cn or, behind a path prefix,
   * https://gw.example.gov.cn/envmon (a trailing slash is optional). Mails and chat messages then link each alert to
   * `<linkBase>/alerts/<id>`, where it is acknowledged; without it they show the `envmon alerts ack` command. A
   * recovered alert is linked for its history only, never offered for acknowledgement.
   */
  linkBase: z.url().optional(),
  /** Network timeout of one delivery, in ms. */
  timeoutMs: z.number().int().min(1000).max(120_000).default(15_000),
});
export type NotificationsConfig = z.infer<typeof notificationsSchema>;
