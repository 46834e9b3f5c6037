import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface QuarantineInput {
  code: string;
  reason: string;
  raw: string;
  detail?: Record<string, string>;
}

/** Keeps rejected input with its reason so an operator can inspect and replay it. */
export async function quarantine(trx: Kysely<Database>, sourceId: string | null, items: readonly QuarantineInput[]): Promise<void> {
  if (items.length === 0) return;
  await trx
    .insertInto('quarantine')
    .values(items.map((i) => ({ source_id: sourceId, code: i.code, reason: i.reason, raw: i.raw, detail: JSON.stringify(i.detail ?? {}) })))
    .execute();
}
