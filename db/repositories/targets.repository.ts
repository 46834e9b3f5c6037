import type { Kysely } from 'kysely';
import type { TargetConfig } from '../../config/schema.ts';
import type { Database } from '../schema.ts';

/** Records the configured plan targets with their source documents and periods. */
export async function upsertConfiguredTargets(db: Kysely<Database>, targets: readonly TargetConfig[], siteIds: ReadonlyMap<string, number>): Promise<void> {
  if (targets.length === 0) return;
  const rows = targets.map((t) => ({
    id: t.id,
    document: t.document,
    clause: t.clause ?? null,
    nature: t.nature,
    site_id: 'site' in t.scope ? (siteIds.get(t.scope.site) ?? null) : null,
    area: 'area' in t.scope ? t.scope.area : null,
    indicator: t.indicator,
    baseline_year: t.baseline?.year ?? null,
    baseline_value: t.baseline ? String(t.baseline.value) : null,
    target_year: t.target.year,
    comparator: t.target.comparator,
    target_value: t.target.value === undefined ? String(t.baseline?.value ?? '') : String(t.target.value),
    wording: t.target.wording ?? null,
    governing: t.governing,
    seasonal: t.seasonalLimits ? JSON.stringify(t.seasonalLimits) : null,
    valid_from: t.validFrom,
    valid_to: t.validTo,
  }));
  await db
    .insertInto('plan_target')
    .values(rows)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        document: eb.ref('excluded.document'),
        clause: eb.ref('excluded.clause'),
        nature: eb.ref('excluded.nature'),
        site_id: eb.ref('excluded.site_id'),
        area: eb.ref('excluded.area'),
        indicator: eb.ref('excluded.indicator'),
        baseline_year: eb.ref('excluded.baseline_year'),
        baseline_value: eb.ref('excluded.baseline_value'),
        target_year: eb.ref('excluded.target_year'),
        comparator: eb.ref('excluded.comparator'),
        target_value: eb.ref('excluded.target_value'),
        wording: eb.ref('excluded.wording'),
        valid_from: eb.ref('excluded.valid_from'),
        valid_to: eb.ref('excluded.valid_to'),
        governing: eb.ref('excluded.governing'),
        seasonal: eb.ref('excluded.seasonal'),
        updated_at: new Date(),
      })),
    )
    .execute();
}
