/**
 * The console overview (总览): every site as it stands now — the latest hourly AQI of air stations, the latest class
 * of water sections against their target class, how fresh each site's data is, and which sites are fed by
 * demonstration data.
 *
 * Built from a few set-based reads whatever the number of sites: the sites, the newest stored value of every series
 * (through its watermark, db/repositories/latest-values.repository.ts) with the stored 24-h window ending at it, the demonstration origins, the firing no-data alerts and the sources. No per-site loop touches the
 * database.
 */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import type { ParameterIds } from '../db/repositories/parameters.repository.ts';
import { latestValues, type LatestValue } from '../db/repositories/latest-values.repository.ts';
import { firingNoDataAlerts } from '../db/repositories/no-data-alerts.repository.ts';
import { siteFacets, sitesIn, type SiteInfo } from '../db/repositories/site-info.repository.ts';
import { dataOrigins, sitesFedBy } from '../db/repositories/source-series.repository.ts';
import { isEnabled, listSources } from '../db/repositories/sources.repository.ts';
import type { Database } from '../db/schema.ts';
import { originOfKind, type DataOrigin } from '../lib/data-origin.ts';
import { DAY_MS, HOUR_MS } from '../lib/time.ts';
import { editionForHour, hourlyAqi, pollutants, type AqiEdition, type Category, type Pollutant } from '../standards/aqi.ts';
import { isClassified, sectionClass, type WaterClass } from '../standards/water-class.ts';
import { assessAgainstTarget, waterTargetFor } from '../standards/water-target.ts';

/**
 * When a site's newest data counts as late: an air station reports every hour and its hour is normally in within
 * the next hour, so data older than 2 h is late; a water section is sampled every 4 h, so after 8 h (a sample
 * missed). Silence proper is the no-data rule's judgement (its firing alerts), shown apart.
 */
export const LATE_AFTER_MS = { air: 2 * HOUR_MS, water: 8 * HOUR_MS } as const;

/** Site kinds judged by GB 3838 classes on the overview. */
const waterKinds = new Set(['surface_water', 'drinking_water_source']);

export interface OverviewFilter {
  area?: string | undefined;
  kind?: string | undefined;
}

export type Freshness =
  | { state: 'on_time'; latest: Date; ageMs: number }
  | { state: 'late'; latest: Date; ageMs: number }
  /** A no-data alert is firing for the site (or its whole source); latest is null when it never delivered. */
  | { state: 'silent'; latest: Date | null; ageMs: number | null; since: Date }
  | { state: 'never'; latest: null; ageMs: null };

interface SiteNow extends Omit<SiteInfo, 'waterBody'> {
  freshness: Freshness;
  origin: DataOrigin | null;
}

export interface AirSiteNow extends SiteNow {
  /** End of the hour the AQI is of (the site's newest stored hour). */
  hour: Date | null;
  aqi: number | null;
  category: Category | null;
  primaryPollutants: Pollutant[];
  standard: AqiEdition | null;
  /** The stored 24-h moving mean of PM2.5 ending at its newest hour (μg/m³), null when too few hours. */
  pm25Mean24h: string | null;
  /** AQI above 100 (轻度污染 or worse): counted as exceeding. */
  exceeding: boolean;
}

export interface WaterSiteNow extends SiteNow {
  waterBody: string | null;
  /** The sample time: the newest hour of the site's classified parameters. */
  at: Date | null;
  cls: WaterClass | null;
  /** The parameters that set the class. */
  worst: { parameter: string; class: WaterClass }[];
  targetClass: WaterClass | null;
  /** Against the target in force (its seasonal limits included); null without a target or a class. */
  meets: boolean | null;
  exceeding: boolean;
}

export interface SourceHealth {
  id: string;
  name: string;
  kind: string;
  enabled: boolean;
  origin: DataOrigin | null;
  lastSuccessAt: Date | null;
  consecutiveFailures: number;
  lastError: string | null;
  /** A no-data alert is firing for the source as a whole. */
  silent: boolean;
}

export interface Overview {
  now: Date;
  filter: { area: string | null; kind: string | null };
  /** Every area and kind there is, for the filter (whatever the filter). */
  areas: string[];
  kinds: string[];
  /** Sites in the database (unfiltered): zero means nothing is configured, which is not an all-clear. */
  totalSites: number;
  air: AirSiteNow[];
  water: WaterSiteNow[];
  /** Sites of other kinds (groundwater wells, outlets): freshness only. */
  other: SiteNow[];
  counts: { sites: number; exceeding: number; late: number; silent: number; demo: number };
  sources: SourceHealth[];
}

export async function overviewQuery(db: Kysely<Database>, config: Pick<AppConfig, 'rules' | 'targets'>, parameterIds: ParameterIds, filter: OverviewFilter, now: Date): Promise<Overview> {
  const area = filter.area?.trim() || null;
  const kind = filter.kind?.trim() || null;
  const [facets, sites] = await Promise.all([siteFacets(db), sitesIn(db, { area, kind })]);
  const pm25 = parameterIds.get('pm2_5') ?? -1;
  const so2 = parameterIds.get('so2') ?? -1;
  const noDataRules = config.rules.filter((r) => r.kind === 'no_data').map((r) => r.id);
  const siteIds = sites.map((s) => s.id);
  const [latest, origins, silentAlerts, sourceRows] = await Promise.all([
    // The newest stored value of every series of the sites, and the stored 24-h mean ending at it (PM2.5 for the
    // table, SO2 for the AQI when its hourly value is above 800 μg/m³).
    latestValues(db, { area, kind }, [pm25, so2]),
    // Demonstration data delivered within the last two days label the site (as the daily summary does for its day).
    dataOrigins(db, siteIds, { from: new Date(now.getTime() - 2 * DAY_MS), to: now }),
    firingNoDataAlerts(db, noDataRules),
    listSources(db),
  ]);
  const silentSources = new Map<string, Date>();
  const silentSites = new Map<number, Date>();
  for (const a of silentAlerts) {
    if (a.site_id !== null) silentSites.set(a.site_id, earliest(silentSites.get(a.site_id), a.since));
    else if (a.source_id !== null) silentSources.set(a.source_id, earliest(silentSources.get(a.source_id), a.since));
  }
  if (silentSources.size > 0) {
    // A source silent as a whole silences every site it ever fed.
    for (const r of await sitesFedBy(db, [...silentSources.keys()])) silentSites.set(r.site_id, earliest(silentSites.get(r.site_id), silentSources.get(r.source_id) as Date));
  }

  const codeOf = new Map([...parameterIds].map(([code, id]) => [id, code]));
  const bySite = new Map<number, LatestValue[]>();
  for (const r of latest) {
    const list = bySite.get(r.siteId);
    if (list) list.push(r);
    else bySite.set(r.siteId, [r]);
  }

  const air: AirSiteNow[] = [];
  const water: WaterSiteNow[] = [];
  const other: SiteNow[] = [];
  for (const s of sites) {
    const rows = bySite.get(s.id) ?? [];
    const medium = s.kind === 'air_station' ? 'air' : 'water';
    const relevant = rows.filter((r) => (medium === 'air' ? pollutants.includes(codeOf.get(r.parameterId) as Pollutant) : isClassified(codeOf.get(r.parameterId) ?? '')));
    const newest = maxTime((relevant.length > 0 ? relevant : rows).map((r) => r.latestHour));
    const base: SiteNow = {
      id: s.id, code: s.code, nameZh: s.nameZh, nameEn: s.nameEn, kind: s.kind, area: s.area,
      freshness: freshness(newest, silentSites.get(s.id), now, LATE_AFTER_MS[medium]),
      origin: origins.get(s.id) ?? null,
    };
    // Only values of the newest hour: a series behind the others is missing from that hour, as published.
    const values: Record<string, string> = {};
    let so2Mean24: string | undefined;
    let pm25Mean24h: string | null = null;
    for (const r of relevant) {
      if (newest === null || r.latestHour.getTime() !== newest.getTime()) continue;
      const code = codeOf.get(r.parameterId) as string;
      if (r.value !== null && r.flag === 'N') values[code] = r.value;
      if (r.parameterId === so2 && r.mean24 !== null) so2Mean24 = r.mean24;
      if (r.parameterId === pm25) pm25Mean24h = r.mean24;
    }
    if (s.kind === 'air_station') {
      const result = newest === null ? null : hourlyAqi(editionForHour(newest), { ...values, ...(so2Mean24 === undefined ? {} : { so2_24h: so2Mean24 }) });
      air.push({
        ...base, hour: newest, aqi: result?.aqi ?? null, category: result?.category ?? null, primaryPollutants: result?.primaryPollutants ?? [], standard: result?.standard ?? null,
        pm25Mean24h, exceeding: (result?.aqi ?? 0) > 100,
      });
    } else if (waterKinds.has(s.kind)) {
      const waterBody = s.waterBody === 'lake_reservoir' ? 'lake_reservoir' : 'river';
      const target = newest === null ? null : waterTargetFor(config.targets, s.code, newest.getTime());
      const assessed = newest === null ? null : target ? assessAgainstTarget(values, target, newest.getTime(), waterBody) : null;
      const section = sectionClass(values, waterBody);
      const cls = assessed ? assessed.class : (section?.class ?? null);
      water.push({
        ...base, waterBody: s.waterBody, at: newest, cls,
        worst: assessed ? assessed.worst.map((w) => ({ parameter: w.parameter, class: w.class })) : (section?.worst ?? []),
        targetClass: target?.cls ?? null, meets: assessed?.meets ?? null, exceeding: assessed?.meets === false,
      });
    } else {
      other.push(base);
    }
  }
  const all: SiteNow[] = [...air, ...water, ...other];
  return {
    now,
    filter: { area, kind },
    areas: facets.flatMap((f) => (f.area !== null ? [f.area] : [])).sort(),
    kinds: facets.flatMap((f) => (f.kind !== null ? [f.kind] : [])).sort(),
    totalSites: facets.filter((f) => f.area !== null).reduce((n, f) => n + f.n, 0),
    air, water, other,
    counts: {
      sites: all.length,
      exceeding: air.filter((a) => a.exceeding).length + water.filter((w) => w.exceeding).length,
      late: all.filter((s) => s.freshness.state === 'late').length,
      silent: all.filter((s) => s.freshness.state === 'silent' || s.freshness.state === 'never').length,
      demo: all.filter((s) => s.origin !== null).length,
    },
    sources: sourceRows.map((r) => ({
      id: r.id, name: r.name, kind: r.kind, enabled: isEnabled(r), origin: originOfKind(r.kind), lastSuccessAt: r.last_success_at,
      consecutiveFailures: r.consecutive_failures, lastError: r.last_error, silent: silentSources.has(r.id),
    })),
  };
}

function freshness(latest: Date | null, silentSince: Date | undefined, now: Date, lateAfterMs: number): Freshness {
  const ageMs = latest === null ? null : Math.max(0, now.getTime() - latest.getTime());
  if (silentSince) return { state: 'silent', latest, ageMs, since: silentSince };
  if (latest === null || ageMs === null) return { state: 'never', latest: null, ageMs: null };
  return { state: ageMs > lateAfterMs ? 'late' : 'on_time', latest, ageMs };
}

function maxTime(times: readonly Date[]): Date | null {
  let best: Date | null = null;
  for (const t of times) if (best === null || t.getTime() > best.getTime()) best = t;
  return best;
}

function earliest(a: Date | undefined, b: Date): Date {
  return a === undefined || b.getTime() < a.getTime() ? b : a;
}
