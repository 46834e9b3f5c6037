/**
 * The shape of envmon's configuration files (`config/*.yaml`). Every key is documented in these schemas; the
 * README's configuration reference is written from the same words. Sources, rules and recipients have files of
 * their own; this one holds sites, targets and queues, and the file as a whole.
 */
import { z } from 'zod';
import { code, isoDate, siteKinds, timeZone } from './schema-common.ts';
import { recipientSchema, notificationsSchema } from './recipients-schema.ts';
import { maintenanceSchema, ruleSchema } from './rules-schema.ts';
import { sourceSchema } from './sources-schema.ts';

export { siteKinds, type SiteKind } from './schema-common.ts';
export * from './sources-schema.ts';
export * from './rules-schema.ts';
export * from './recipients-schema.ts';

export const siteSchema = z.strictObject({
  /** Site code, unique; for CNEMC stations the station code such as 1081A. */
  code,
  nameZh: z.string().min(1),
  nameEn: z.string().min(1),
  kind: z.enum(siteKinds),
  /** Administrative area, e.g. 吕梁市交城县. */
  area: z.string().min(1),
  /** Water body type: GB 3838 uses different TP limits for rivers and for lakes/reservoirs. */
  waterBody: z.enum(['river', 'lake_reservoir']).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  latitude: z.number().min(-90).max(90).optional(),
  timeZone: timeZone.default('Asia/Shanghai'),
  /** Shown next to the site's name wherever it appears, e.g. to mark replayed or simulated data. */
  note: z.string().optional(),
});

export const targetSchema = z.strictObject({
  id: code,
  /** The planning document the target comes from, as titled. */
  document: z.string().min(1),
  /** Where in the document, e.g. 表1 主要指标. */
  clause: z.string().optional(),
  /** 约束性 (binding) or 预期性 (indicative). */
  nature: z.enum(['binding', 'indicative']),
  scope: z.union([z.strictObject({ site: code }), z.strictObject({ area: z.string().min(1) })]),
  /** pm2_5_annual_mean μg/m³; good_day_ratio and heavy_pollution_day_ratio %; heavy_pollution_days a count; water_class I…V. */
  indicator: z.enum(['pm2_5_annual_mean', 'good_day_ratio', 'heavy_pollution_day_ratio', 'heavy_pollution_days', 'water_class']),
  baseline: z.strictObject({ year: z.number().int(), value: z.union([z.number(), z.string()]) }).optional(),
  target: z.strictObject({
    year: z.number().int(),
    /** not_worse_than_baseline: "keep stable or improve" (保持稳定或改善) against the baseline year's value. */
    comparator: z.enum(['<=', '>=', 'class_at_least', 'not_worse_than_baseline']),
    value: z.union([z.number(), z.string()]).optional(),
    /** The document's own words for the target, e.g. 基本消除. */
    wording: z.string().optional(),
  }),
  /** Where documents disagree on one indicator and scope, the operator marks the one that governs. */
  governing: z.boolean().default(true),
  /** Season-dependent parameter limits of a water target, e.g. NH3-N ≤ 8 mg/L in winter and ≤ 5 in summer. */
  seasonalLimits: z
    .array(
      z.strictObject({
        parameter: z.string().min(1),
        limit: z.number(),
        /** Calendar months (1–12, Beijing time) the limit applies in; a month may appear once per parameter. */
        months: z.array(z.number().int().min(1).max(12)).min(1),
        unit: z.string().default('mg/L'),
        /**
         * Set when the months are not given by the document and were assumed: the text is shown wherever the limit
         * is used (assessments, the daily summary, alert evidence), e.g. 冬季月份（11–3月）为假定，规划未界定.
         */
        assumption: z.string().min(1).optional(),
      }),
    )
    .optional()
    .refine((limits) => !limits || limits.every((l, i) => limits.every((m, j) => j <= i || m.parameter !== l.parameter || !m.months.some((month) => l.months.includes(month)))), {
      message: 'each month at most once per parameter (two seasonal limits of one parameter share a month)',
    }),
  validFrom: isoDate,
  validTo: isoDate,
})
  .refine((t) => t.target.comparator === 'not_worse_than_baseline' ? t.baseline !== undefined : t.target.value !== undefined, 'a target value, or a baseline for a "keep stable or improve" target');
export type TargetConfig = z.infer<typeof targetSchema>;

/**
 * A natural day (Beijing) affected by sand and dust (扣沙): air assessments show every figure also without it. The
 * same as a mark made with `envmon dust add`; both count.
 */
export const dustDaySchema = z.strictObject({
  /** YYYY-MM-DD. */
  date: isoDate,
  /** The area (a configured site's `area`) the day applies to; absent: every area. */
  area: z.string().min(1).optional(),
  /** Why the day is marked, e.g. the dust-weather bulletin it follows. */
  note: z.string().min(1),
  /** Who marked it. */
  by: z.string().min(1),
});
export type DustDayConfig = z.infer<typeof dustDaySchema>;

export const queuesSchema = z.strictObject({
  /** Jobs each worker runs at once, per queue. */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** Attempts before a job fails for good. */
  attempts: z.number().int().min(1).max(50).default(5),
  /** First retry delay in ms; doubles with each attempt. */
  backoffMs: z.number().int().min(100).default(5000),
  /**
   * Seconds a running job stays reserved for its worker without a sign of life (workers renew it at half this
   * interval, and look for jobs of dead workers this often): a job whose worker died is taken over by another
   * worker within about twice this. Keep it well above the longest pause of a busy worker. Default 15.
   */
  lockSeconds: z.number().int().min(1).max(600).optional(),
});

/** How long envmon keeps what it only needs for a while. */
export const retentionSchema = z.strictObject({
  /**
   * Whole UTC days of minute data (HJ 212 real-time and minute values) kept before today, once their hours are
   * derived; older days are dropped each night (`envmon partitions prune`). null keeps them all. Default 31.
   */
  minuteDays: z.number().int().min(1).max(3660).nullable().default(31),
});

/** The web console (served on ENVMON_HTTP_PORT): who may read it, how long a sign-in lasts, where requests come from. */
export const consoleSchema = z.strictObject({
  /** Let visitors who are not signed in read the pages (never act, never see Operations). Default false. */
  anonymousRead: z.boolean().default(false),
  /** Hours a sign-in lasts without use; every request moves the end (sliding expiry). 1–720, default 12. */
  sessionHours: z.number().int().min(1).max(720).default(12),
  /**
   * Believe the X-Forwarded-For / X-Forwarded-Proto headers of a reverse proxy in front of envmon (the client's
   * address for the sign-in limits, https for the Secure cookie). Only behind a proxy that sets them. Default false.
   */
  trustProxy: z.boolean().default(false),
});
export type ConsoleConfig = z.infer<typeof consoleSchema>;

export const fileConfigSchema = z.strictObject({
  sites: z.array(siteSchema).default([]),
  sources: z.array(sourceSchema).default([]),
  targets: z.array(targetSchema).default([]),
  rules: z.array(ruleSchema).default([]),
  maintenance: z.array(maintenanceSchema).default([]),
  recipients: z.array(recipientSchema).default([]),
  dustDays: z.array(dustDaySchema).default([]),
  notifications: notificationsSchema.prefault({}),
  queues: queuesSchema.prefault({}),
  console: consoleSchema.prefault({}),
  retention: retentionSchema.prefault({}),
});
export type FileConfig = z.infer<typeof fileConfigSchema>;
