/** The `rules[]` and `maintenance[]` of a configuration file. */
import { z } from 'zod';
import { code, cronExpression, severity, siteKinds } from './schema-common.ts';

const ruleScope = z.strictObject({ sites: z.array(code).optional(), siteKinds: z.array(z.enum(siteKinds)).optional(), areas: z.array(z.string()).optional() });
export type RuleScope = z.infer<typeof ruleScope>;
const waterClass = z.enum(['I', 'II', 'III', 'IV', 'V']);

/** A limit of GB 3095, picked by the window's time: the 2012 edition before 2026-03-01, 2026's after. */
const gb3095Limit = z.strictObject({ standard: z.literal('GB 3095'), grade: z.union([z.literal(1), z.literal(2)]) });

/** A threshold on a rolling value of one parameter, for the sites in scope. */
export const thresholdRuleSchema = z
  .strictObject({
    id: code,
    kind: z.literal('threshold'),
    /** Sites by code, by kind or by area; a site matching any listed criterion is in scope. */
    scope: ruleScope,
    parameter: z.string().min(1),
    /** The rolling value compared: the hourly value, an 8- or 24-hour moving mean or the natural-day value (GB 3095 validity applies). */
    window: z.enum(['1h', '8h', '24h', 'day']).default('1h'),
    /** `>`: breach above the limit; `<`: below (dissolved oxygen). */
    direction: z.enum(['>', '<']).default('>'),
    /** A number in the parameter's unit, or a GB 3095 grade whose limit for the window is taken by date. */
    limit: z.union([z.number(), gb3095Limit]),
    /** Where a numeric limit comes from, shown with every alert, e.g. GB 3838-2002 表1 Ⅲ类 氨氮. */
    limitSource: z.string().min(1).optional(),
    /** The level a firing alert must return past to clear (hysteresis); default the limit. */
    clearAt: z.number().optional(),
    /**
     * Consecutive breaching values before the alert fires. A gap in the data breaks the run: an 8-/24-hour mean is
     * expected every hour, a day value every day, an hourly value at the series' own sampling interval (the median
     * interval between its samples over the week before: 1 h for an hourly station, 4 h for a 4-hourly section).
     */
    forEvaluations: z.number().int().min(1).max(100).default(1),
    severity,
  })
  .refine((r) => typeof r.limit !== 'number' || r.limitSource !== undefined, { message: 'a limitSource for a numeric limit', path: ['limitSource'] });
export type ThresholdRuleConfig = z.infer<typeof thresholdRuleSchema>;

/** A water section whose class (GB 3838 single-factor: its worst parameter) is worse than its target. */
export const waterClassRuleSchema = z.strictObject({
  id: code,
  kind: z.literal('water_class'),
  scope: ruleScope,
  /** The class to hold; default the governing water_class target of the site in force at the reading's time. */
  targetClass: waterClass.optional(),
  /** Consecutive breaching samples before the alert fires; a sample missing at the section's sampling interval breaks the run. */
  forEvaluations: z.number().int().min(1).max(100).default(1),
  severity,
});
export type WaterClassRuleConfig = z.infer<typeof waterClassRuleSchema>;

/** A sudden change: the hourly value rose by more than `maxRise` (absolute) or to more than `maxRatio` × the previous hour. */
export const rateOfChangeRuleSchema = z
  .strictObject({
    id: code,
    kind: z.literal('rate_of_change'),
    scope: ruleScope,
    parameter: z.string().min(1),
    maxRise: z.number().positive().optional(),
    maxRatio: z.number().gt(1).optional(),
    /** Values below this are never a spike (a jump from 2 to 6 μg/m³ is noise, not pollution). */
    minValue: z.number().default(0),
    severity,
  })
  .refine((r) => r.maxRise !== undefined || r.maxRatio !== undefined, 'maxRise or maxRatio');
export type RateOfChangeRuleConfig = z.infer<typeof rateOfChangeRuleSchema>;

/**
 * Instrument trouble: a parameter's samples carry a non-normal HJ 212 flag for `afterHours` of elapsed time — over
 * consecutive flagged samples (no sample without one of the flags between them), from the start of the first
 * flagged sample's hour to the end of the latest; missing samples do not break the run.
 */
export const instrumentStateRuleSchema = z.strictObject({
  id: code,
  kind: z.literal('instrument_state'),
  scope: ruleScope,
  /** Default: every parameter of the sites in scope. */
  parameters: z.array(z.string().min(1)).optional(),
  /** HJ 212 data flags that mean the instrument is not measuring: M maintenance, C calibration, D fault, F stopped, B communication. */
  flags: z.array(z.enum(['M', 'C', 'D', 'F', 'B', 'S', 'T'])).min(1).default(['M', 'C', 'D', 'F', 'B']),
  /** Hours of elapsed time flagged before the alert fires. */
  afterHours: z.number().int().min(1).max(24 * 30),
  severity,
});
export type InstrumentStateRuleConfig = z.infer<typeof instrumentStateRuleSchema>;

/** A plan target whose year-to-date value misses the target (checked as each natural day's data arrive). */
export const targetAtRiskRuleSchema = z.strictObject({
  id: code,
  kind: z.literal('target_at_risk'),
  /** Target ids; default every governing air target of a site. */
  targets: z.array(code).optional(),
  severity,
});
export type TargetAtRiskRuleConfig = z.infer<typeof targetAtRiskRuleSchema>;

/**
 * Silence of sources: a source, a site of it or one parameter of a site that has sent nothing for `afterMinutes`
 * (since the newest interval end) opens one alert at the widest level that is silent — one alert for a silent
 * source, not one per parameter. Expected is every series the source ever delivered and what its configuration
 * names (a simulator's `sites[].levels`, a listener's `stations[].site`, OpenAQ's `sensors[].site`; other kinds the
 * source as a whole); what never delivered alerts `afterMinutes` after a check first finds it waiting. An alert
 * resolves only when data arrive.
 */
export const noDataRuleSchema = z.strictObject({
  id: code,
  kind: z.literal('no_data'),
  sources: z.array(code).min(1),
  afterMinutes: z.number().int().min(5).max(7 * 24 * 60),
  /** When the check runs (Beijing time). */
  schedule: cronExpression.default('*/10 * * * *'),
  severity,
});
export type NoDataRuleConfig = z.infer<typeof noDataRuleSchema>;
export const ruleSchema = z.discriminatedUnion('kind', [thresholdRuleSchema, waterClassRuleSchema, rateOfChangeRuleSchema, instrumentStateRuleSchema, targetAtRiskRuleSchema, noDataRuleSchema]);
export type RuleConfig = z.infer<typeof ruleSchema>;

/** A planned maintenance window: alerts of the sites (and parameters) in it notify nobody while it lasts. */
export const maintenanceSchema = z.strictObject({
  sites: z.array(code).min(1),
  parameters: z.array(z.string().min(1)).optional(),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  reason: z.string().min(1),
});
export type MaintenanceConfig = z.infer<typeof maintenanceSchema>;
