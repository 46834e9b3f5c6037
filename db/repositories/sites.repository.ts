import type { Kysely } from 'kysely';
import type { FileConfig } from '../../config/schema.ts';
import type { Database } from '../schema.ts';

/** What a feed says about a station, enough to register it as a site. */
export interface SiteMetadata {
  readonly code: string;
  readonly kind: 'air_station' | 'surface_water' | 'drinking_water_source' | 'groundwater_well' | 'discharge_outlet';
  readonly nameZh: string;
  readonly area: string;
  readonly longitude?: number;
  readonly latitude?: number;
}

/** Inserts or updates the configured sites (by code). */
export async function upsertConfiguredSites(db: Kysely<Database>, sites: FileConfig['sites']): Promise<void> {
  if (sites.length === 0) return;
  await db
    .insertInto('site')
    .values(
      sites.map((s) => ({
        code: s.code,
        name_zh: s.nameZh,
        name_en: s.nameEn,
        kind: s.kind,
        area: s.area,
        water_body: s.waterBody ?? null,
        longitude: s.longitude ?? null,
        latitude: s.latitude ?? null,
        time_zone: s.timeZone,
        note: s.note ?? null,
        origin: 'config',
      })),
    )
    .onConflict((oc) =>
      oc.column('code').doUpdateSet((eb) => ({
        name_zh: eb.ref('excluded.name_zh'),
        name_en: eb.ref('excluded.name_en'),
        kind: eb.ref('excluded.kind'),
        area: eb.ref('excluded.area'),
        water_body: eb.ref('excluded.water_body'),
        longitude: eb.ref('excluded.longitude'),
        latitude: eb.ref('excluded.latitude'),
        time_zone: eb.ref('excluded.time_zone'),
        note: eb.ref('excluded.note'),
        updated_at: new Date(),
      })),
    )
    .execute();
}

/** Registers stations a feed describes; sites that already exist are left as they are. */
export async function registerFeedSites(db: Kysely<Database>, sites: readonly SiteMetadata[]): Promise<void> {
  if (sites.length === 0) return;
  await db
    .insertInto('site')
    .values(
      sites.map((s) => ({
        code: s.code,
        name_zh: s.nameZh,
        name_en: s.nameZh,
        kind: s.kind,
        area: s.area,
        longitude: s.longitude ?? null,
        latitude: s.latitude ?? null,
        origin: 'feed',
      })),
    )
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
}

/** Site code → id for the codes that exist. */
export async function siteIdsByCode(db: Kysely<Database>, codes: readonly string[]): Promise<Map<string, number>> {
  if (codes.length === 0) return new Map();
  const rows = await db.selectFrom('site').select(['id', 'code']).where('code', 'in', [...codes]).execute();
  return new Map(rows.map((r) => [r.code, r.id]));
}
