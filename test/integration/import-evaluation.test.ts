/**
 * `envmon import` judges what it stores by the rules, as pulled data is (late data at its own times), and says
 * what that did; `--no-evaluate` (bulk history) stores and refreshes the rolling windows but opens no alert.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importCommand } from '../../cli/commands/import.ts';
import type { AppConfig } from '../../config/load-config.ts';
import { ruleSchema } from '../../config/schema.ts';
import { recomputeAggregates } from '../../db/repositories/aggregates-recompute.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { quietLog, repoRoot, testConfig } from '../support/test-service.ts';

let database: TestDatabase;
let config: AppConfig;
let dir: string;
let file: string;
let later: string;
const mapping = path.join(repoRoot, 'config/mappings/beijing-multisite.yaml');

beforeAll(async () => {
  database = await createTestDatabase();
  const base = testConfig({ DATABASE_URL: database.url });
  config = {
    ...base,
    // One rule, so that what it does can be read off the file by hand.
    rules: ruleSchema.array().parse([{ id: 'pm25-1h', kind: 'threshold', scope: { sites: ['Dongsi'] }, parameter: 'pm2_5', limit: 150, limitSource: 'test limit', forEvaluations: 2 }]),
  };
  await syncConfig(database.db, config);
  dir = mkdtempSync(path.join(tmpdir(), 'envmon-import-eval-'));
  file = path.join(dir, 'dongsi-exceedances.csv');
  // 2016-03-01 01:00 … 06:00 Beijing time, PM2.5 only: 100, 200 (pending), 210 (fires), 220, 90 (resolves), 80.
  const rows = [100, 200, 210, 220, 90, 80].map((pm25, i) => `${i + 1},2016,3,1,${i + 1},${pm25},NA,NA,NA,NA,NA,5,1020,-10,0,"N",1,"Dongsi"`);
  const header = '"No","year","month","day","hour","PM2.5","PM10","SO2","NO2","CO","O3","TEMP","PRES","DEWP","RAIN","wd","WSPM","station"';
  writeFileSync(file, [header, ...rows].join('\n') + '\n');
  // The two hours after them (07:00, 08:00), clean: 50, 60.
  later = path.join(dir, 'dongsi-later.csv');
  writeFileSync(later, [header, ...[50, 60].map((pm25, i) => `${i + 7},2016,3,1,${i + 7},${pm25},NA,NA,NA,NA,NA,5,1020,-10,0,"N",1,"Dongsi"`)].join('\n') + '\n');
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
});
beforeEach(async () => {
  for (const table of ['notification_outbox', 'alert_event', 'alert', 'window_aggregate', 'series_watermark', 'reading'] as const) await database.db.deleteFrom(table).execute();
});

async function runImport(extra: Record<string, boolean>, input = file): Promise<Record<string, unknown>> {
  const out: string[] = [];
  const code = await importCommand.run({ values: { format: 'csv', mapping, json: true, ...extra }, positionals: [input] }, { config, log: quietLog, out: (t) => out.push(t) });
  expect(code).toBe(0);
  return JSON.parse(out.join('\n')) as Record<string, unknown>;
}

const hourEnd = (beijingHour: number) => new Date(Date.parse('2016-02-29T16:00:00Z') + beijingHour * 3_600_000);

async function windowsMatchRecomputation(): Promise<number> {
  const series = [{ siteId: (await database.db.selectFrom('site').select('id').where('code', '=', 'Dongsi').executeTakeFirstOrThrow()).id, parameterId: (await database.db.selectFrom('parameter').select('id').where('code', '=', 'pm2_5').executeTakeFirstOrThrow()).id, parameter: 'pm2_5' }];
  const expected = await recomputeAggregates(database.db, series, hourEnd(1), hourEnd(6));
  const stored = await database.db.selectFrom('window_aggregate').select(['kind', 'window_end', 'valid_count', 'value']).orderBy('kind').orderBy('window_end').execute();
  expect(stored.map((w) => [w.kind, w.window_end.toISOString(), w.valid_count])).toEqual(
    expected.map((w) => [w.kind, w.windowEnd.toISOString(), w.validCount]).sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1]))),
  );
  return stored.length;
}

describe('envmon import', () => {
  it('runs the rules on what it stores and reports the alerts it opened and resolved', async () => {
    const summary = await runImport({});
    expect(summary).toMatchObject({ parsed: 6, stored: 6, rejected: 0 });
    const alerts = await database.db.selectFrom('alert').select(['rule_id', 'state', 'first_seen_at', 'fired_at', 'resolved_at']).execute();
    expect(alerts).toEqual([{ rule_id: 'pm25-1h', state: 'resolved', first_seen_at: hourEnd(2), fired_at: hourEnd(3), resolved_at: hourEnd(5) }]);
    expect(summary.evaluation).toEqual({ rules: true, series: 1, alerts: { opened: 1, fired: 1, resolved: 1, late: 0 }, failedSites: 0 });
    const outbox = await database.db.selectFrom('notification_outbox').select(['kind']).orderBy('id').execute();
    expect(outbox.map((o) => o.kind)).toEqual(['alert', 'resolution']);
    expect(await windowsMatchRecomputation()).toBeGreaterThan(0);
  });

  it('judges hours older than those already evaluated as late data, at their own times', async () => {
    expect((await runImport({}, later)).evaluation).toEqual({ rules: true, series: 1, alerts: { opened: 0, fired: 0, resolved: 0, late: 0 }, failedSites: 0 });
    // 01:00–06:00 arrive after 08:00 was evaluated: the run 200, 210, 220 (02:00–04:00) is one late exceedance, over.
    const summary = await runImport({});
    const alerts = await database.db.selectFrom('alert').select(['state', 'late', 'first_seen_at', 'fired_at', 'resolved_at']).execute();
    expect(alerts).toEqual([{ state: 'resolved', late: true, first_seen_at: hourEnd(2), fired_at: hourEnd(2), resolved_at: hourEnd(4) }]);
    expect(summary.evaluation).toEqual({ rules: true, series: 1, alerts: { opened: 0, fired: 0, resolved: 0, late: 1 }, failedSites: 0 });
    const outbox = await database.db.selectFrom('notification_outbox').select(['kind']).execute();
    expect(outbox.map((o) => o.kind)).toEqual(['alert']);
  });

  it('with --no-evaluate stores and refreshes the windows but opens no alert', async () => {
    const summary = await runImport({ 'no-evaluate': true });
    expect(summary).toMatchObject({ parsed: 6, stored: 6 });
    expect(summary.evaluation).toEqual({ rules: false, series: 1, alerts: { opened: 0, fired: 0, resolved: 0, late: 0 }, failedSites: 0 });
    expect(await database.db.selectFrom('alert').select('id').execute()).toEqual([]);
    expect(await windowsMatchRecomputation()).toBeGreaterThan(0);
  });

  it('finishes the other sites when one site\'s evaluation fails, leaves that one pending and says so (exit 1)', async () => {
    const header = '"No","year","month","day","hour","PM2.5","PM10","SO2","NO2","CO","O3","TEMP","PRES","DEWP","RAIN","wd","WSPM","station"';
    const two = path.join(dir, 'two-stations.csv');
    writeFileSync(two, [header, ...['Dongsi', 'Tiantan'].map((station, i) => `${i + 1},2016,3,1,1,100,NA,NA,NA,NA,NA,5,1020,-10,0,"N",1,"${station}"`)].join('\n') + '\n');
    const tiantan = (await database.db.selectFrom('site').select('id').where('code', '=', 'Tiantan').executeTakeFirstOrThrow()).id;
    // A fault in one site's evaluation (here: its windows cannot be written).
    await sql.raw(`create function envmon_test_fail_site() returns trigger language plpgsql as $$ begin if new.site_id = ${tiantan} then raise exception 'test fault'; end if; return new; end $$`).execute(database.db);
    await sql`create trigger envmon_test_fail_site before insert on window_aggregate for each row execute function envmon_test_fail_site()`.execute(database.db);
    try {
      const out: string[] = [];
      const notes: string[] = [];
      const code = await importCommand.run({ values: { format: 'csv', mapping, json: true }, positionals: [two] }, { config, log: quietLog, out: (t) => out.push(t), note: (t) => notes.push(t) });
      expect(code).toBe(1);
      expect((JSON.parse(out.join('\n')) as { stored: number; evaluation: { failedSites: number } })).toMatchObject({ stored: 2, evaluation: { failedSites: 1 } });
      expect(notes.join('\n')).toContain('1 site');
      const sites = await database.db.selectFrom('window_aggregate as w').innerJoin('site as s', 's.id', 'w.site_id').select('s.code').distinct().execute();
      expect(sites.map((r) => r.code)).toEqual(['Dongsi']);
      const pending = await database.db.selectFrom('windows_pending').select('site_id').distinct().execute();
      expect(pending.map((p) => p.site_id)).toEqual([tiantan]);
    } finally {
      await sql`drop trigger envmon_test_fail_site on window_aggregate`.execute(database.db);
      await sql`drop function envmon_test_fail_site()`.execute(database.db);
      await database.db.deleteFrom('windows_pending').execute();
    }
  });
});
