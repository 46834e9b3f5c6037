import type { Kysely } from 'kysely';
import type { ParameterDefinition } from '../../standards/parameters.ts';
import type { Database } from '../schema.ts';

/** Parameter code → database id. */
export type ParameterIds = ReadonlyMap<string, number>;

/** Makes the parameter table match the catalogue in code and returns the ids. */
export async function syncParameters(db: Kysely<Database>, catalogue: readonly ParameterDefinition[]): Promise<ParameterIds> {
  if (catalogue.length > 0) {
    await db
      .insertInto('parameter')
      .values(catalogue.map((p) => ({ code: p.code, hj212_code: p.hj212Code, name_zh: p.nameZh, name_en: p.nameEn, unit: p.unit, medium: p.medium })))
      .onConflict((oc) =>
        oc.column('code').doUpdateSet((eb) => ({
          hj212_code: eb.ref('excluded.hj212_code'),
          name_zh: eb.ref('excluded.name_zh'),
          name_en: eb.ref('excluded.name_en'),
          unit: eb.ref('excluded.unit'),
          medium: eb.ref('excluded.medium'),
        })),
      )
      .execute();
  }
  return loadParameterIds(db);
}

export async function loadParameterIds(db: Kysely<Database>): Promise<ParameterIds> {
  const rows = await db.selectFrom('parameter').select(['id', 'code']).execute();
  return new Map(rows.map((r) => [r.code, r.id]));
}

/** Parameter code → database id for the codes asked for (at least one) that exist. */
export async function parameterIdsOf(db: Kysely<Database>, codes: readonly string[]): Promise<Map<string, number>> {
  const rows = await db.selectFrom('parameter').select(['id', 'code']).where('code', 'in', [...codes]).execute();
  return new Map(rows.map((r) => [r.code, r.id]));
}
