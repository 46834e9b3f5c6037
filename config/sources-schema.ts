/** The `sources[]` of a configuration file: one schema per kind of feed, with its mapping and limits. */
import { isIP } from 'node:net';
import { z } from 'zod';
import { code, cronExpression, envName, httpUrl, siteKinds, timeZone } from './schema-common.ts';

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
