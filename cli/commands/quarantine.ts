import { discardQuarantined, listQuarantined, quarantineStatuses as statuses, type QuarantineStatus } from '../../db/repositories/quarantine-review.repository.ts';
import type { QuarantineItem } from '../../db/schema.ts';
import { replayQuarantined } from '../../evaluate/replay-quarantine.ts';
import { formatBeijing } from '../../lib/time.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

function ids(positionals: readonly string[]): number[] {
  const list = positionals.map((p) => Number(p));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n <= 0)) throw new UsageError('give one or more quarantine item ids');
  return list;
}

function view(item: QuarantineItem) {
  return {
    id: item.id,
    source: item.source_id,
    receivedAt: item.received_at.toISOString(),
    code: item.code,
    reason: item.reason,
    status: item.status,
    detail: item.detail,
    raw: item.raw,
    /** The exact input bytes when `raw` shows them escaped (NUL, control characters, bytes that are not UTF-8). */
    rawBase64: item.raw_bytes?.toString('base64') ?? null,
    resolvedAt: item.resolved_at?.toISOString() ?? null,
    resolution: item.resolution,
  };
}

export const quarantineListCommand: Command = {
  path: ['quarantine', 'list'],
  summary: 'rejected input with its reason (newest first)',
  usage: 'envmon quarantine list [--status pending|replayed|discarded] [--code CODE] [--source ID] [--limit N] [--json]',
  options: {
    status: { type: 'string', default: 'pending', value: 'STATUS', description: 'pending, replayed or discarded items' },
    code: { type: 'string', value: 'CODE', description: 'only items rejected for this reason, e.g. unknown_site or checksum' },
    source: { type: 'string', value: 'ID', description: 'only items from this source' },
    limit: { type: 'string', default: '50', value: 'N', description: 'show at most N items' },
    json: { type: 'boolean', default: false, description: 'print the items as JSON' },
  },
  examples: ['envmon quarantine list', 'envmon quarantine list --code unknown_site --source beijing-replay --json'],
  run: async ({ values }, context) => {
    const status = String(values.status);
    if (!(statuses as readonly string[]).includes(status)) throw new UsageError(`--status must be one of ${statuses.join(', ')}`);
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit must be a whole number from 1 to 10000');
    return withDatabase(context, async ({ db }) => {
      const items = await listQuarantined(db, { status: status as QuarantineStatus, code: typeof values.code === 'string' ? values.code : undefined, source: typeof values.source === 'string' ? values.source : undefined, limit });
      if (values.json) context.out(JSON.stringify(items.map(view), null, 2));
      else {
        if (items.length === 0) context.out(`no ${status} items`);
        for (const i of items) context.out(`${String(i.id).padStart(6)}  ${formatBeijing(i.received_at)}  ${(i.source_id ?? '-').padEnd(16)} ${i.code.padEnd(17)} ${i.reason}`);
      }
      return 0;
    });
  },
};

export const quarantineShowCommand: Command = {
  path: ['quarantine', 'show'],
  summary: 'one quarantined item with its raw input',
  usage: 'envmon quarantine show ID [--json]',
  options: { json: { type: 'boolean', default: false, description: 'print the item with its raw input as JSON' } },
  examples: ['envmon quarantine show 1203'],
  run: async ({ values, positionals }, context) => {
    const [id] = ids(positionals);
    return withDatabase(context, async ({ db }) => {
      const item = await db.selectFrom('quarantine').selectAll().where('id', '=', id ?? 0).executeTakeFirst();
      if (!item) throw new UsageError(`no quarantine item ${id}`);
      const v = view(item);
      if (values.json) context.out(JSON.stringify(v, null, 2));
      else {
        context.out(`item ${v.id} from ${v.source ?? '(import)'} at ${formatBeijing(item.received_at)} (Beijing time), ${v.status}`);
        context.out(`reason: ${v.code}: ${v.reason}`);
        if (Object.keys(v.detail).length > 0) context.out(`reading: ${JSON.stringify(v.detail)}`);
        context.out(`raw input${v.rawBase64 ? ' (bytes that are not printable text shown as \\xNN; --json gives them exactly as rawBase64)' : ''}:\n${v.raw}`);
      }
      return 0;
    });
  },
};

export const quarantineReplayCommand: Command = {
  path: ['quarantine', 'replay'],
  summary: 'run quarantined readings through validation and storage again',
  usage: 'envmon quarantine replay ID... | --all [--code CODE] [--json]',
  options: {
    all: { type: 'boolean', default: false, description: 'every pending item instead of the IDs given' },
    code: { type: 'string', value: 'CODE', description: 'with --all: only items rejected for this reason' },
    json: { type: 'boolean', default: false, description: 'print the outcome as JSON' },
  },
  examples: ['envmon quarantine replay 1203 1204', 'envmon quarantine replay --all --code unknown_site'],
  run: async ({ values, positionals }, context) => {
    if (!values.all && positionals.length === 0) throw new UsageError('give item ids, or --all');
    return withDatabase(context, async (database) => {
      let query = database.db.selectFrom('quarantine').selectAll().where('status', '=', 'pending').orderBy('id');
      if (!values.all) query = query.where('id', 'in', ids(positionals));
      if (typeof values.code === 'string') query = query.where('code', '=', values.code);
      const items = await query.execute();
      const outcomes = await replayQuarantined(database.storeDeps, items, context.config);
      if (values.json) context.out(JSON.stringify(outcomes, null, 2));
      else {
        for (const o of outcomes) context.out(`${String(o.id).padStart(6)}  ${o.outcome}${o.reason ? `: ${o.reason}` : ''}`);
        context.out(`${outcomes.filter((o) => o.outcome === 'stored' || o.outcome === 'unchanged').length} of ${outcomes.length} replayed`);
      }
      return 0;
    });
  },
};

export const quarantineDiscardCommand: Command = {
  path: ['quarantine', 'discard'],
  summary: 'close quarantined items that will never be replayed (kept, marked discarded)',
  usage: 'envmon quarantine discard ID... [--note TEXT]',
  options: { note: { type: 'string', value: 'TEXT', description: 'why the items will never be replayed' } },
  examples: ['envmon quarantine discard 1203 --note "test packets from the installer"'],
  run: async ({ values, positionals }, context) => {
    const list = ids(positionals);
    return withDatabase(context, async ({ db }) => {
      const discarded = await discardQuarantined(db, list, typeof values.note === 'string' ? values.note : null);
      context.out(`${discarded.length} item(s) discarded`);
      return 0;
    });
  },
};
