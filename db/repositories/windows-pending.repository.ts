/**
 * Windows (and rule runs) that stored data still owes, table `windows_pending`: one row per series and stored
 * batch, written in the batch's own transaction, deleted in the transaction that refreshes the windows and runs the
 * rules. Rows are only read and deleted by a transaction holding their site's aggregate lock
 * (aggregates.repository.ts `lockSites`), so two evaluations never work on the same row.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface PendingSpan {
  siteId: number;
  parameterId: number;
  /** Hour ends in (from, to]. */
  from: Date;
  to: Date;
}

export interface PendingMark extends PendingSpan {
  id: number;
  site: string;
  parameter: string;
  runRules: boolean;
}

/** Marks the spans pending, in the caller's transaction (the one storing their data). */
export async function markPending(trx: Kysely<Database>, spans: readonly PendingSpan[], runRules: boolean): Promise<void> {
  if (spans.length === 0) return;
  await sql`
    insert into windows_pending (site_id, parameter_id, span_from, span_to, run_rules)
    select site_id, parameter_id, span_from, span_to, ${runRules}
    from unnest(${spans.map((s) => s.siteId)}::int[], ${spans.map((s) => s.parameterId)}::smallint[], ${spans.map((s) => s.from)}::timestamptz[], ${spans.map((s) => s.to)}::timestamptz[])
      as s(site_id, parameter_id, span_from, span_to)`.execute(trx);
}

/**
 * Sites with pending marks: of `siteIds` when given, else all; only marks at least `olderThanSeconds` old (by the
 * database clock) when given; only windows-only marks when `withRules` is false (a caller without rules cannot pay
 * the rest).
 */
export async function sitesPending(db: Kysely<Database>, options: { siteIds?: readonly number[]; olderThanSeconds?: number; withRules: boolean }): Promise<number[]> {
  let query = db.selectFrom('windows_pending').select('site_id').distinct();
  if (options.siteIds) query = query.where('site_id', '=', sql<number>`any(${[...options.siteIds]}::int[])`);
  if (options.olderThanSeconds !== undefined) query = query.where('created_at', '<=', sql<Date>`now() - make_interval(secs => ${options.olderThanSeconds})`);
  if (!options.withRules) query = query.where('run_rules', '=', false);
  const rows = await query.orderBy('site_id').execute();
  return rows.map((r) => r.site_id);
}

/** The pending marks of sites whose lock the caller's transaction holds, locked until it ends. */
export async function takePending(trx: Kysely<Database>, siteIds: readonly number[], withRules: boolean): Promise<PendingMark[]> {
  if (siteIds.length === 0) return [];
  const { rows } = await sql<{ id: number; site_id: number; parameter_id: number; site: string; parameter: string; span_from: Date; span_to: Date; run_rules: boolean }>`
    select w.id, w.site_id, w.parameter_id, s.code as site, p.code as parameter, w.span_from, w.span_to, w.run_rules
    from windows_pending w join site s on s.id = w.site_id join parameter p on p.id = w.parameter_id
    where w.site_id = any(${[...siteIds]}::int[]) ${withRules ? sql`` : sql`and not w.run_rules`}
    order by w.id
    for update of w`.execute(trx);
  return rows.map((r) => ({ id: r.id, siteId: r.site_id, parameterId: r.parameter_id, site: r.site, parameter: r.parameter, from: r.span_from, to: r.span_to, runRules: r.run_rules }));
}

/** Deletes marks once their work is done, in the transaction that did it. */
export async function clearPending(trx: Kysely<Database>, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await trx.deleteFrom('windows_pending').where('id', '=', sql<number>`any(${[...ids]}::bigint[])`).execute();
}
