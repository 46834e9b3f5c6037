import type { Kysely } from 'kysely';
import { storableText } from '../../lib/raw-text.ts';
import type { Database } from '../schema.ts';

export interface QuarantineInput {
  code: string;
  reason: string;
  /** The input as text (bytes that are not UTF-8 as U+DC80…U+DCFF, see lib/raw-text.ts). */
  raw: string;
  /** The exact input bytes, base64, when `raw` is already an escaped rendering of them. */
  rawBytes?: string;
  detail?: Record<string, string>;
}

/**
 * Rows per INSERT: six bound values a row keeps a statement well under PostgreSQL's 65,535 parameters, whatever
 * the number of rejections in a batch.
 */
const ROWS_PER_STATEMENT = 5_000;

/** Keeps rejected input with its reason so an operator can inspect and replay it. */
export async function quarantine(trx: Kysely<Database>, sourceId: string | null, items: readonly QuarantineInput[]): Promise<void> {
  for (let start = 0; start < items.length; start += ROWS_PER_STATEMENT) {
    await trx
      .insertInto('quarantine')
      .values(items.slice(start, start + ROWS_PER_STATEMENT).map((i) => quarantineRow(sourceId, i)))
      .execute();
  }
}

function quarantineRow(sourceId: string | null, item: QuarantineInput) {
  // Text columns cannot hold NUL or undecodable bytes: they are shown escaped and the exact bytes kept beside.
  const raw = storableText(item.raw);
  const exact = item.rawBytes === undefined ? raw.bytes : Buffer.from(item.rawBytes, 'base64');
  const detail = Object.fromEntries(Object.entries(item.detail ?? {}).map(([k, v]) => [k, storableText(v).text]));
  return {
    source_id: sourceId,
    code: item.code,
    reason: storableText(item.reason).text,
    raw: raw.text,
    raw_bytes: exact,
    detail: JSON.stringify(detail),
  };
}

