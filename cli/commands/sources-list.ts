import { openDatabase } from '../../db/open-database.ts';
import { listSources } from '../../db/repositories/sources.repository.ts';
import { formatBeijing } from '../../lib/time.ts';
import type { Command } from '../command.ts';

export const sourcesListCommand: Command = {
  path: ['sources', 'list'],
  summary: 'configured sources with their schedule and health',
  usage: 'envmon sources list [--json]',
  options: { json: { type: 'boolean', default: false } },
  run: async ({ values }, { config, log, out }) => {
    const database = await openDatabase(config, log, { poolSize: 2 });
    try {
      const rows = await listSources(database.db);
      const configured = new Set(config.sources.map((s) => s.id));
      const list = rows.map((s) => ({
        id: s.id,
        kind: s.kind,
        name: s.name,
        enabled: s.enabled,
        configured: configured.has(s.id),
        schedule: s.schedule,
        cursor: s.cursor?.toISOString() ?? null,
        lastSuccessAt: s.last_success_at?.toISOString() ?? null,
        lastErrorAt: s.last_error_at?.toISOString() ?? null,
        lastError: s.last_error,
        consecutiveFailures: s.consecutive_failures,
        lastRunRows: s.last_run_rows,
      }));
      if (values.json) {
        out(JSON.stringify(list, null, 2));
        return 0;
      }
      if (list.length === 0) out('no sources (start envmon once, or add sources to the configuration)');
      for (const s of list) {
        out(`${s.id}  [${s.kind}]  ${s.name}`);
        out(`    ${s.enabled ? 'enabled' : 'disabled'}${s.configured ? '' : ' (no longer in the configuration)'}, schedule "${s.schedule}", cursor ${s.cursor ? formatBeijing(new Date(s.cursor)) : 'none'} (Beijing time)`);
        out(`    last success ${s.lastSuccessAt ? formatBeijing(new Date(s.lastSuccessAt)) : 'never'}, rows ${s.lastRunRows ?? '-'}, consecutive failures ${s.consecutiveFailures}${s.lastError ? `, last error: ${s.lastError}` : ''}`);
      }
      return 0;
    } finally {
      await database.close();
    }
  },
};
