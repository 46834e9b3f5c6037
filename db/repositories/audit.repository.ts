/** The audit trail: every state change made in the console (and sign-ins), who made it and when. */
import type { Kysely, Transaction } from 'kysely';
import type { AuditEntry, Database } from '../schema.ts';

export interface AuditRecord {
  /** The acting user; null for an unknown name (a failed sign-in). */
  readonly user: { readonly id: number; readonly name: string } | null;
  /** What was done, e.g. alert.acknowledge, alert.silence, quarantine.replay, source.disable, login.failed. */
  readonly action: string;
  /** What it was done to, e.g. alert:42, source:cnemc-taiyuan, user:zhang. */
  readonly target?: string;
  /** The details worth keeping (a note, a reason, a period); never a password or a token. */
  readonly detail?: Record<string, unknown>;
  /** The client's address. */
  readonly remote?: string;
  /** The name tried, for a sign-in without a known user. */
  readonly userName?: string;
  /** When it happened; default the database's clock. Give the service's clock where time is compared later (sign-in limits). */
  readonly at?: Date;
}

/** Records one action. Call it in the same transaction as the change it records, so that neither exists alone. */
export async function recordAudit(db: Kysely<Database> | Transaction<Database>, record: AuditRecord): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      user_id: record.user?.id ?? null,
      user_name: record.user?.name ?? record.userName ?? null,
      action: record.action,
      target: record.target ?? null,
      detail: JSON.stringify(record.detail ?? {}),
      remote: record.remote ?? null,
      ...(record.at ? { at: record.at } : {}),
    })
    .execute();
}

/** The newest entries first, optionally of one action prefix (e.g. 'alert.'). */
export async function listAudit(db: Kysely<Database>, options: { limit: number; actionPrefix?: string; target?: string }): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(options.limit);
  if (options.actionPrefix !== undefined) query = query.where('action', 'like', `${options.actionPrefix.replace(/[\\%_]/g, '\\$&')}%`);
  if (options.target !== undefined) query = query.where('target', '=', options.target);
  return query.execute();
}
