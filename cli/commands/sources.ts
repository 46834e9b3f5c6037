import { lockoutsSince } from '../../db/repositories/hj212-lockouts.repository.ts';
import { getSource, isEnabled, listSources, setOperatorEnabled } from '../../db/repositories/sources.repository.ts';
import type { Source } from '../../db/schema.ts';
import { normalizeRecord } from '../../ingest/normalize.ts';
import { HOUR_MS, formatBeijing } from '../../lib/time.ts';
import { createAdapter } from '../../sources/create-adapter.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

function view(s: Source, configured: boolean, readings?: number) {
  return {
    id: s.id,
    kind: s.kind,
    name: s.name,
    enabled: isEnabled(s),
    enabledBy: s.operator_enabled === null ? 'configuration' : 'operator',
    configured,
    schedule: s.schedule,
    settings: s.settings,
    cursor: s.cursor?.toISOString() ?? null,
    lastRunAt: s.last_run_at?.toISOString() ?? null,
    lastSuccessAt: s.last_success_at?.toISOString() ?? null,
    lastErrorAt: s.last_error_at?.toISOString() ?? null,
    lastError: s.last_error,
    consecutiveFailures: s.consecutive_failures,
    lastRunRows: s.last_run_rows,
    ...(readings === undefined ? {} : { readings }),
  };
}

const when = (iso: string | null) => (iso ? formatBeijing(new Date(iso)) : 'never');

export const sourcesListCommand: Command = {
  path: ['sources', 'list'],
  summary: 'configured sources with their schedule and health',
  usage: 'envmon sources list [--json]',
  options: { json: { type: 'boolean', default: false, description: 'print the sources as JSON' } },
  examples: ['envmon sources list', 'envmon sources list --json'],
  run: async ({ values }, context) =>
    withDatabase(context, async ({ db }) => {
      const configured = new Set(context.config.sources.map((s) => s.id));
      const list = (await listSources(db)).map((s) => view(s, configured.has(s.id)));
      if (values.json) {
        context.out(JSON.stringify(list, null, 2));
        return 0;
      }
      for (const s of list) {
        context.out(`${s.id}  [${s.kind}]  ${s.name}`);
        context.out(`    ${s.enabled ? 'enabled' : 'disabled'} (by ${s.enabledBy})${s.configured ? '' : ', no longer in the configuration'}, schedule "${s.schedule}", cursor ${when(s.cursor)} (Beijing time)`);
        context.out(`    last success ${when(s.lastSuccessAt)}, rows ${s.lastRunRows ?? '-'}, consecutive failures ${s.consecutiveFailures}${s.lastError ? `, last error ${when(s.lastErrorAt)}: ${s.lastError}` : ''}`);
      }
      return 0;
    }),
};

export const sourcesShowCommand: Command = {
  path: ['sources', 'show'],
  summary: 'one source: settings, health and stored readings',
  usage: 'envmon sources show ID [--json]',
  options: { json: { type: 'boolean', default: false, description: 'print the source as JSON' } },
  examples: ['envmon sources show water-simulator'],
  run: async ({ values, positionals }, context) =>
    withDatabase(context, async ({ db }) => {
      const id = positionals[0];
      const source = id ? await getSource(db, id) : undefined;
      if (!source) throw new UsageError(`no source "${id ?? ''}"`);
      const count = await db.selectFrom('reading').select((eb) => eb.fn.countAll<number>().as('n')).where('source_id', '=', source.id).executeTakeFirstOrThrow();
      const pending = await db.selectFrom('quarantine').select((eb) => eb.fn.countAll<number>().as('n')).where('source_id', '=', source.id).where('status', '=', 'pending').executeTakeFirstOrThrow();
      const v = { ...view(source, context.config.sources.some((s) => s.id === source.id), Number(count.n)), quarantined: Number(pending.n) };
      // An HJ 212 listener's addresses locked out of a station after wrong passwords, as the listener recorded them.
      const lockouts = source.kind === 'hj212-listener' ? await lockoutsSince(db, source.id, new Date()) : null;
      if (values.json) {
        const shown = lockouts?.map((l) => ({ mn: l.mn, address: l.address, level: l.level, failures: l.failures, lockedAt: l.lockedAt.toISOString(), lockedUntil: l.lockedUntil.toISOString() }));
        context.out(JSON.stringify(shown ? { ...v, lockouts: shown } : v, null, 2));
        return 0;
      }
      for (const [key, value] of Object.entries(v)) context.out(`${key.padEnd(20)} ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`);
      if (lockouts?.length === 0) context.out(`${'locked out'.padEnd(20)} none`);
      for (const l of lockouts ?? []) {
        context.out(`${'locked out'.padEnd(20)} ${l.mn} from ${l.address} until ${formatBeijing(l.lockedUntil)} (Beijing time), lockout ${l.level} after ${l.failures} wrong passwords`);
      }
      return 0;
    }),
};

export const sourcesTestCommand: Command = {
  path: ['sources', 'test'],
  summary: 'fetch a recent window from a source and validate it, storing nothing',
  usage: 'envmon sources test ID [--hours N] [--json]',
  options: {
    hours: { type: 'string', default: '2', value: 'N', description: 'how many recent hours to fetch' },
    json: { type: 'boolean', default: false, description: 'print the counts and rejections as JSON' },
  },
  examples: ['envmon sources test beijing-replay', 'envmon sources test national --hours 6 --json'],
  run: async ({ values, positionals }, context) => {
    const source = context.config.sources.find((s) => s.id === positionals[0]);
    if (!source) throw new UsageError(`no source "${positionals[0] ?? ''}" in the configuration`);
    const hours = Number(values.hours);
    if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 31) throw new UsageError('--hours must be between 0 and 744');
    const adapter = createAdapter(source);
    if (!adapter || !('schedule' in source)) {
      context.out(`${source.id} receives pushed data; nothing to fetch (see envmon sources show ${source.id})`);
      return 0;
    }
    const now = new Date();
    const until = new Date(now.getTime() - source.lagMinutes * 60_000);
    const since = new Date(until.getTime() - hours * HOUR_MS);
    const result = { since: since.toISOString(), until: until.toISOString(), records: 0, readings: 0, rejected: 0, reasons: {} as Record<string, number>, sample: [] as unknown[] };
    const controller = new AbortController();
    for await (const record of adapter.fetch({ since, until }, controller.signal)) {
      result.records++;
      const { readings, rejections } = normalizeRecord(record, { now });
      result.readings += readings.length;
      result.rejected += rejections.length;
      for (const r of rejections) result.reasons[r.code] = (result.reasons[r.code] ?? 0) + 1;
      if (result.sample.length < 5) result.sample.push(...readings.slice(0, 5 - result.sample.length));
    }
    if (values.json) context.out(JSON.stringify(result, null, 2));
    else {
      context.out(`${source.id}: ${formatBeijing(since)} – ${formatBeijing(until)} (Beijing time): ${result.records} records, ${result.readings} valid readings, ${result.rejected} rejected ${JSON.stringify(result.reasons)}`);
      for (const r of result.sample) context.out(`  ${JSON.stringify(r)}`);
    }
    return 0;
  },
};

const toggle = (enable: boolean): Command => ({
  path: ['sources', enable ? 'enable' : 'disable'],
  summary: enable ? 'resume pulling a source (kept across restarts)' : 'stop pulling a source (kept across restarts)',
  usage: `envmon sources ${enable ? 'enable' : 'disable'} ID`,
  options: {},
  examples: [`envmon sources ${enable ? 'enable' : 'disable'} water-simulator`],
  run: async ({ positionals }, context) =>
    withDatabase(context, async ({ db }) => {
      const id = positionals[0] ?? '';
      if (!(await setOperatorEnabled(db, id, enable))) throw new UsageError(`no source "${id}"`);
      context.out(`${id} ${enable ? 'enabled' : 'disabled'}`);
      return 0;
    }),
});

export const sourcesEnableCommand = toggle(true);
export const sourcesDisableCommand = toggle(false);
