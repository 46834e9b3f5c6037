/**
 * The console's operations, each with its audit entry in the same transaction: enable or disable a source, discard
 * quarantined items, send failed deliveries again. (A replay stores readings through the ingest path, which commits
 * on its own; its audit entry follows it, see web/pages/operations-quarantine.ts.)
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { Actor } from './alert-actions.repository.ts';
import { recordAudit } from './audit.repository.ts';
import { retryFailedDeliveries } from './deliveries.repository.ts';
import { discardQuarantined } from './quarantine-review.repository.ts';
import { setOperatorEnabled } from './sources.repository.ts';

/** false when there is no such source. The choice holds across restarts, as `envmon sources enable|disable`. */
export async function setSourceEnabledAudited(db: Kysely<Database>, id: string, enabled: boolean, actor: Actor): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await setOperatorEnabled(trx, id, enabled))) return false;
    await recordAudit(trx, { ...actor, action: enabled ? 'source.enable' : 'source.disable', target: `source:${id}` });
    return true;
  });
}

/** How many ids an audit entry lists (the count is always kept). */
const MAX_IDS = 1000;

/** `delivery:17` for one item, `delivery:*` for several (the ids are in the detail). */
function batchTarget(kind: string, ids: readonly number[]): string {
  return ids.length === 1 ? `${kind}:${ids[0] ?? ''}` : `${kind}:*`;
}

/** The ids discarded (pending ones only), with one audit entry listing them. */
export async function discardQuarantinedAudited(db: Kysely<Database>, ids: readonly number[], note: string | null, actor: Actor): Promise<number[]> {
  return db.transaction().execute(async (trx) => {
    const discarded = await discardQuarantined(trx, ids, note);
    if (discarded.length > 0) await recordAudit(trx, { ...actor, action: 'quarantine.discard', target: batchTarget('quarantine', discarded), detail: { ids: discarded.slice(0, MAX_IDS), ...(note ? { note } : {}) } });
    return discarded;
  });
}

/** The ids queued again (failed ones only), with one audit entry listing them. */
export async function retryDeliveriesAudited(db: Kysely<Database>, which: readonly number[] | 'all-failed', actor: Actor): Promise<number[]> {
  return db.transaction().execute(async (trx) => {
    const retried = await retryFailedDeliveries(trx, which);
    if (retried.length > 0) await recordAudit(trx, { ...actor, action: 'delivery.retry', target: batchTarget('delivery', retried), detail: { ids: retried.slice(0, MAX_IDS), count: retried.length } });
    return retried;
  });
}
