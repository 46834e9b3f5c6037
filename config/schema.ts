/**
 * The shape of envmon's configuration files (`config/*.yaml`). Every key is documented here; the README's
 * configuration reference is generated from the same words.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import cron from 'node-cron';
import { cronProblem } from './cron-check.ts';

export const siteKinds = ['air_station', 'surface_water', 'drinking_water_source', 'groundwater_well', 'discharge_outlet'] as const;
export type SiteKind = (typeof siteKinds)[number];

const code = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a code of letters, digits, "_", "." or "-" (at most 64)');
const timeZone = z.string().refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai');
/** A 5-field cron expression; an error says which field is wrong and why (config/cron-check.ts). */
const cronExpression = z.string().superRefine((s, ctx) => {
  const problem = cronProblem(s) ?? (cron.validate(s) ? null : 'not accepted by the scheduler');
  if (problem) ctx.addIssue({ code: 'custom', message: `a 5-field cron expression such as "5 * * * *" (${problem})` });
});
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

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

const sourceCommon = {
  id: code,
  name: z.string().min(1),
  enabled: z.boolean().default(true),
  /** When pulls run (5-field cron, evaluated in `timeZone`). */
  schedule: cronExpression,
  timeZone: timeZone.default('Asia/Shanghai'),
  /** Minutes after a slot before its data is expected to be published. */
  lagMinutes: z.number().int().min(0).max(1440).default(0),
  /** How far back the first pull of a new source reaches, in hours. */
  initialBackfillHours: z.number().int().min(1).max(24 * 31).default(24),
  /** Every pull reads the last N hours again, for data published late or revised (0: only what is new). */
  refetchHours: z.number().int().min(0).max(24 * 7).default(0),
  /** After downtime, pulls catch up at most this far back; older gaps need `envmon backfill`. */
  backfillWindowHours: z.number().int().min(1).max(24 * 31).default(72),
};

export const csvMappingSchema = z.strictObject({
  site: z.strictObject({
    /** Column holding the site code. */
    column: z.string().min(1),
    /**
     * What the file's stations are, so that `envmon import --register-sites` can register the codes it finds as
     * sites: their `kind` and `area`, and optionally a column with each station's name (default: the code).
     */
    register: z.strictObject({ kind: z.enum(siteKinds), area: z.string().min(1), nameColumn: z.string().min(1).optional() }).optional(),
  }),
  /** Time from separate year/month/day/hour columns, read in the mapping's time zone. */
  time: z.strictObject({
    columns: z.strictObject({ year: z.string(), month: z.string(), day: z.string(), hour: z.string() }),
    /** Fixed UTC offset of the time labels, in hours (Beijing time is 8). */
    utcOffsetHours: z.number().min(-14).max(14),
    label: z.enum(['hour-ending', 'hour-beginning']).default('hour-ending'),
  }),
  period: z.enum(['hour']).default('hour'),
  /** Cell texts that mean "no value". */
  missing: z.array(z.string()).default(['', 'NA']),
  values: z
    .array(z.strictObject({ column: z.string().min(1), parameter: z.string().min(1), unit: z.string().min(1) }))
    .min(1),
});
export type CsvMapping = z.infer<typeof csvMappingSchema>;

export const replaySourceSchema = z.strictObject({
  ...sourceCommon,
  kind: z.literal('replay-csv'),
  /** CSV files to replay, relative to the configuration file. */
  files: z.array(z.string().min(1)).min(1),
  /** Column mapping file (`config/mappings/*.yaml`), relative to the configuration file. */
  mapping: z.string().min(1),
  /** The recorded data's loop: readings whose interval ends in (start, start + days] are replayed, over and over. */
  loop: z.strictObject({ start: z.iso.datetime({ offset: true }), days: z.number().int().min(1).max(3660) }),
});

export const simulatorSourceSchema = z.strictObject({
  ...sourceCommon,
  kind: z.literal('water-simulator'),
  /** Hours between simulated samples (surface-water automatic stations commonly report every 4 hours). */
  intervalHours: z.number().int().min(1).max(24).default(4),
  /** Seed for the deterministic generator: the same seed, site and time give the same values. */
  seed: z.number().int().default(1),
  sites: z
    .array(
      z.strictObject({
        site: code,
        /** Typical level per parameter code; values wander around it by ±spread. */
        levels: z.record(z.string(), z.strictObject({ mean: z.number(), spread: z.number().min(0), decimals: z.number().int().min(0).max(4) })),
      }),
    )
    .min(1),
});

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as FEED_TOKEN');
const httpUrl = z.string().refine((u) => /^https?:\/\//.test(u), 'an http:// or https:// URL');

/** Limits of every HTTP read. */
const httpLimits = {
  /** Whole request, seconds. */
  timeoutSeconds: z.number().min(1).max(300).default(30),
  /** Longest pause between chunks of the body, seconds. */
  readTimeoutSeconds: z.number().min(1).max(300).default(15),
  /** Largest response accepted, bytes. */
  maxBytes: z.number().int().min(1024).max(256 * 2 ** 20).default(16 * 2 ** 20),
};

/** A header carrying a credential whose value comes from the environment, e.g. Authorization: Bearer <token>. */
const authHeaderSchema = z.strictObject({ name: z.string().min(1).default('Authorization'), valueEnv: envName, prefix: z.string().default('') });

/** Where a JSON feed keeps its readings, as path expressions (`$.data[*]`, `station.code`). */
export const jsonMappingSchema = z
  .strictObject({
    /** Path to the items, each one station-time (or one measurement). */
    items: z.string().default('$[*]'),
    /** Path, within an item, to the site code. */
    site: z.string().min(1),
    time: z.strictObject({
      path: z.string().min(1),
      /** iso: ISO 8601 with offset; local: "YYYY-MM-DD HH:mm[:ss]" at utcOffsetHours; epoch-seconds / epoch-millis. */
      format: z.enum(['iso', 'local', 'epoch-seconds', 'epoch-millis']).default('iso'),
      utcOffsetHours: z.number().min(-14).max(14).default(8),
      label: z.enum(['hour-ending', 'hour-beginning']).default('hour-ending'),
    }),
    period: z.enum(['minute', 'hour', 'day']).default('hour'),
    /** Fixed fields: one reading per listed path. */
    values: z.array(z.strictObject({ path: z.string().min(1), parameter: z.string().min(1), unit: z.string() })).default([]),
    /** Parameter/value pairs: a list in the item whose elements name their parameter. */
    pairs: z
      .strictObject({
        path: z.string().min(1),
        parameter: z.string().min(1),
        value: z.string().min(1),
        unit: z.string().optional(),
        defaultUnit: z.string().optional(),
        flag: z.string().optional(),
        /** Feed's parameter names → envmon parameter codes. */
        parameters: z.record(z.string(), z.string()).default({}),
      })
      .optional(),
  })
  .refine((m) => m.values.length > 0 || m.pairs !== undefined, 'a mapping with values or pairs');
export type JsonMapping = z.infer<typeof jsonMappingSchema>;

export const httpJsonSourceSchema = z.strictObject({
  ...sourceCommon,
  kind: z.literal('http-json'),
  /** URL template; {since}, {until} (ISO instants) and {limit} are filled in per request. */
  url: httpUrl,
  auth: authHeaderSchema.optional(),
  ...httpLimits,
  mapping: jsonMappingSchema,
  /** Time-cursor pagination: the next page starts after the latest time of the previous one. */
  pagination: z.strictObject({ limit: z.number().int().min(1).max(100000).default(1000), maxPages: z.number().int().min(1).max(1000).default(20) }).prefault({}),
});

export const csvUrlSourceSchema = z.strictObject({
  ...sourceCommon,
  kind: z.literal('csv-url'),
  /** URL template; {since} and {until} are filled in. */
  url: httpUrl,
  auth: authHeaderSchema.optional(),
  ...httpLimits,
  /** Column mapping file (`config/mappings/*.yaml`), relative to the configuration file. */
  mapping: z.string().min(1),
});

/** The national platform's real-time feed (CNEMC format, CSV or JSON) over HTTP. */
export const cnemcSourceSchema = z.strictObject({
  ...sourceCommon,
  kind: z.literal('cnemc'),
  /** URL template; {since} and {until} are filled in. */
  url: httpUrl,
  auth: authHeaderSchema.optional(),
  ...httpLimits,
  /** Register stations the feed describes that are not configured sites yet. */
  registerSites: z.boolean().default(false),
});

export const openaqSourceSchema = z.strictObject({
  ...sourceCommon,
  kind: z.literal('openaq'),
  baseUrl: httpUrl.default('https://api.openaq.org'),
  /** Environment variable holding the OpenAQ API key (sent as X-API-Key). */
  apiKeyEnv: envName,
  /** measurements: values as reported; hours: hourly means. */
  resource: z.enum(['measurements', 'hours']).default('hours'),
  sensors: z.array(z.strictObject({ id: z.number().int().positive(), site: code })).min(1),
  pageLimit: z.number().int().min(1).max(1000).default(1000),
  maxPages: z.number().int().min(1).max(100).default(10),
  ...httpLimits,
});

/** An IPv4 or IPv6 address, or a CIDR block such as 10.12.0.0/16. */
const addressOrBlock = z.string().refine((value) => {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}, 'an IP address or a CIDR block such as 10.12.0.0/16');

/** Stations push HJ 212 packets to this listener (no schedule). */
export const hj212ListenerSchema = z.strictObject({
  id: code,
  name: z.string().min(1),
  enabled: z.boolean().default(true),
  kind: z.literal('hj212-listener'),
  /** Address to listen on; 0.0.0.0 for stations on other hosts. */
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535),
  maxConnections: z.number().int().min(1).max(10000).default(200),
  /** Connections one client address may hold at once; more are closed at once (one address cannot take them all). */
  maxConnectionsPerAddress: z.number().int().min(1).max(10000).default(8),
  /** Largest data segment accepted, characters (HJ 212-2017 allows 1024). */
  maxDataLength: z.number().int().min(64).max(9999).default(1024),
  idleTimeoutSeconds: z.number().int().min(5).max(86400).default(600),
  /** A frame must be complete within this many seconds of its first byte. */
  frameTimeoutSeconds: z.number().int().min(1).max(600).default(30),
  packetsPerMinute: z.number().int().min(1).max(100000).default(120),
  /** Bytes outside any frame a connection may send since its last accepted packet before it is closed. */
  maxGarbageBytes: z.number().int().min(256).max(2 ** 20).default(4096),
  /**
   * Rejected frames (malformed, bad checksum, unknown station, wrong password, address not allowed) a connection
   * may send since its last accepted packet; the next one closes it. Each is quarantined.
   */
  maxRejectedFrames: z.number().int().min(1).max(10000).default(10),
  /**
   * Password guessing: after `afterFailures` wrong passwords for one station MN from one address, that address is
   * refused for that MN for `seconds`, twice as long at each further lockout, at most `maxSeconds`. The station on
   * its own address keeps reporting. A success, or `maxSeconds` without a failure, starts afresh.
   */
  lockout: z
    .strictObject({
      afterFailures: z.number().int().min(1).max(100).default(5),
      seconds: z.number().int().min(1).max(86400).default(60),
      maxSeconds: z.number().int().min(1).max(7 * 86400).default(3600),
    })
    .refine((l) => l.maxSeconds >= l.seconds, { message: 'maxSeconds at least seconds', path: ['maxSeconds'] })
    .prefault({}),
  stations: z
    .array(
      z.strictObject({
        /** The station's unique id (MN, 24 characters in HJ 212-2017). */
        mn: z.string().min(1).max(64),
        site: code,
        /** Environment variable holding the station's access password (PW). */
        passwordEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as HJ212_PW_WULIANG'),
        /** Units the station sends, by parameter code; default each parameter's canonical unit. */
        units: z.record(z.string(), z.string()).optional(),
        minuteIntervalMinutes: z.number().int().min(1).max(60).default(10),
        /** Addresses (or CIDR blocks) the station may report from; packets for its MN from elsewhere are rejected. Default: any. */
        allowedAddresses: z.array(addressOrBlock).min(1).optional(),
      }),
    )
    .min(1),
});

export const sourceSchema = z.discriminatedUnion('kind', [
  replaySourceSchema,
  simulatorSourceSchema,
  httpJsonSourceSchema,
  csvUrlSourceSchema,
  cnemcSourceSchema,
  openaqSourceSchema,
  hj212ListenerSchema,
]);
export type SourceConfig = z.infer<typeof sourceSchema>;

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
    .array(z.strictObject({ parameter: z.string().min(1), limit: z.number(), months: z.array(z.number().int().min(1).max(12)).min(1), unit: z.string().default('mg/L') }))
    .optional(),
  validFrom: isoDate,
  validTo: isoDate,
})
  .refine((t) => t.target.comparator === 'not_worse_than_baseline' ? t.baseline !== undefined : t.target.value !== undefined, 'a target value, or a baseline for a "keep stable or improve" target');
export type TargetConfig = z.infer<typeof targetSchema>;

const ruleScope = z.strictObject({ sites: z.array(code).optional(), siteKinds: z.array(z.enum(siteKinds)).optional(), areas: z.array(z.string()).optional() });
export type RuleScope = z.infer<typeof ruleScope>;
const severity = z.enum(['info', 'warning', 'critical']).default('warning');
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
  /**
   * Seconds a queued daily summary waits before it is built and sent, so that one caught up at start-up follows
   * the first pulls (which fetch the hours missed while envmon was down).
   */
  summaryDelaySeconds: z.number().int().min(0).max(3600).default(300),
  /** A link base for alert pages in messages, e.g. https://envmon.example.gov.cn; without it the ack command is shown. */
  linkBase: z.url().optional(),
  /** Network timeout of one delivery, in ms. */
  timeoutMs: z.number().int().min(1000).max(120_000).default(15_000),
});
export type NotificationsConfig = z.infer<typeof notificationsSchema>;

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

export const fileConfigSchema = z.strictObject({
  sites: z.array(siteSchema).default([]),
  sources: z.array(sourceSchema).default([]),
  targets: z.array(targetSchema).default([]),
  rules: z.array(ruleSchema).default([]),
  maintenance: z.array(maintenanceSchema).default([]),
  recipients: z.array(recipientSchema).default([]),
  notifications: notificationsSchema.prefault({}),
  queues: queuesSchema.prefault({}),
});
export type FileConfig = z.infer<typeof fileConfigSchema>;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
