import { openDatabase } from '../../db/open-database.ts';
import { statusCounts } from '../../db/repositories/status.repository.ts';
import { isEnabled, listSources } from '../../db/repositories/sources.repository.ts';
import { originFields, originMark, originOfKind } from '../../lib/data-origin.ts';
import { formatBeijing } from '../../lib/time.ts';
import type { Command } from '../command.ts';

export const statusCommand: Command = {
  path: ['status'],
  summary: 'counts of sites, sources, readings, quarantined items, open alerts and pending notifications',
  usage: 'envmon status [--json]',
  options: { json: { type: 'boolean', default: false, description: 'print the counts and source health as JSON' } },
  examples: ['envmon status', 'envmon status --json'],
  run: async ({ values }, { config, log, out }) => {
    const database = await openDatabase(config, log, { poolSize: 2 });
    try {
      const [counts, sources] = await Promise.all([statusCounts(database.db), listSources(database.db)]);
      const report = {
        database: database.embedded ? 'embedded' : 'external',
        queues: config.redisUrl ? 'redis' : 'postgres',
        sites: counts.sites,
        sources: sources.map((s) => ({
          id: s.id,
          kind: s.kind,
          // A simulated or replayed source feeds demonstration data: said wherever its data are shown.
          ...originFields(originOfKind(s.kind)),
          name: s.name,
          enabled: isEnabled(s),
          readings: counts.readingsBySource[s.id] ?? 0,
          lastSuccessAt: s.last_success_at?.toISOString() ?? null,
          lastErrorAt: s.last_error_at?.toISOString() ?? null,
          lastError: s.last_error,
          consecutiveFailures: s.consecutive_failures,
          lastRunRows: s.last_run_rows,
          cursor: s.cursor?.toISOString() ?? null,
        })),
        readings: counts.readings,
        quarantined: counts.quarantinePending,
        openAlerts: counts.openAlerts,
        pendingNotifications: counts.pendingNotifications,
        // Stored data whose windows or rules are still owed: work a crash left, or a backlog the workers are behind on.
        pendingEvaluations: { series: counts.pendingEvaluations.series, oldest: counts.pendingEvaluations.oldest?.toISOString() ?? null },
      };
      if (values.json) {
        out(JSON.stringify(report, null, 2));
        return 0;
      }
      out(`database ${report.database}, queues in ${report.queues}`);
      out(`sites ${report.sites}   readings ${report.readings}   quarantined ${report.quarantined}   open alerts ${report.openAlerts}   messages not yet sent ${report.pendingNotifications}`);
      const owed = counts.pendingEvaluations;
      out(`evaluations pending ${owed.series}${owed.oldest ? ` (oldest since ${formatBeijing(owed.oldest)})` : ''}`);
      out('');
      out('sources:');
      for (const s of sources) {
        const r = report.sources.find((x) => x.id === s.id);
        const ok = s.last_success_at ? formatBeijing(s.last_success_at) : 'never';
        const err = s.last_error_at ? `${formatBeijing(s.last_error_at)} ${s.last_error ?? ''}` : '-';
        out(`  ${s.id.padEnd(20)} ${originMark(originOfKind(s.kind))}${isEnabled(s) ? 'enabled ' : 'disabled'} readings ${String(r?.readings ?? 0).padStart(8)}  last success ${ok}  last error ${err}`);
      }
      return 0;
    } finally {
      await database.close();
    }
  },
};
