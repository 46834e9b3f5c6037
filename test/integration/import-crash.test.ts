/**
 * An `envmon import` killed (SIGKILL) after its readings committed and before its rolling windows and rules ran
 * loses nothing derived: run again, it reports the readings as unchanged and finishes the work the first run left
 * pending, so the windows equal a recomputation from the raw readings and the alerts equal those of an import that
 * was never interrupted.
 *
 * The kill lands at the right moment by construction: the test holds the per-site lock every window refresh takes,
 * waits until the import process is blocked on it with all its readings committed, and kills it there.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeAggregates } from '../../db/repositories/aggregates-recompute.ts';
import { firstStoredEnd } from '../../db/repositories/moving-windows.repository.ts';
import { syncConfig } from '../../db/sync-config.ts';
import { parseDecimal } from '../../lib/decimal.ts';
import { cleanEnv, envmonBin, runEnvmon } from '../support/cli.ts';
import { derivedState } from '../support/derived-state.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { repoRoot, testConfig } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';

const mapping = path.join(repoRoot, 'config/mappings/beijing-multisite.yaml');
let crashed: TestDatabase;
let clean: TestDatabase;
let dir: string;
let file: string;
let cells: number;

beforeAll(async () => {
  [crashed, clean] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  dir = mkdtempSync(path.join(tmpdir(), 'envmon-import-crash-'));
  file = path.join(dir, 'dongsi-january.csv');
  // The first ten days of 2016 at Dongsi: heavy PM2.5 episodes, so the default rules open alerts.
  const lines = readFileSync(path.join(repoRoot, 'data/beijing-multisite/PRSA_Data_Dongsi_2016.csv'), 'utf8').trim().split(/\r?\n/).slice(0, 1 + 240);
  writeFileSync(file, lines.join('\n') + '\n');
  cells = lines.slice(1).reduce((n, line) => n + line.split(',').slice(5, 11).filter((c) => c !== 'NA').length, 0);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all([crashed.drop(), clean.drop()]);
});

const importArgs = () => ['import', file, '--format', 'csv', '--mapping', mapping, '--json'];

describe('an import killed between storing and evaluating', () => {
  it('is finished by the next run: windows equal a recomputation, alerts equal an uninterrupted import', async () => {
    await syncConfig(crashed.db, testConfig({}));
    const siteId = (await crashed.db.selectFrom('site').select('id').where('code', '=', 'Dongsi').executeTakeFirstOrThrow()).id;

    // Hold the site's aggregate lock (the one every window refresh of the site takes) in a session of our own.
    const gate = new pg.Client({ connectionString: crashed.url, application_name: 'test-gate' });
    await gate.connect();
    let child: ChildProcess | undefined;
    try {
      await gate.query(`select pg_advisory_lock(hashtext('envmon_aggregate'), $1)`, [siteId]);
      child = spawn(process.execPath, [envmonBin, ...importArgs()], { env: cleanEnv({ DATABASE_URL: crashed.url }), cwd: repoRoot, stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child?.once('exit', () => resolve()));
      await waitFor('the import to store its readings and block on the window refresh', async () => {
        const blocked = await gate.query(`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and wait_event = 'advisory'`);
        const stored = await gate.query<{ n: string }>('select count(*) as n from reading');
        return blocked.rowCount === 1 && Number(stored.rows[0]?.n) === cells;
      }, 60_000);
      child.kill('SIGKILL');
      await exited;
      // The server notices a dead client only when it next talks to it; end the orphaned session, as it would.
      await gate.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and wait_event = 'advisory'`);
      await gate.query(`select pg_advisory_unlock(hashtext('envmon_aggregate'), $1)`, [siteId]);
    } finally {
      child?.kill('SIGKILL');
      await gate.end();
    }
    expect(await crashed.db.selectFrom('window_aggregate').select('site_id').execute()).toEqual([]);

    const rerun = await runEnvmon(importArgs(), cleanEnv({ DATABASE_URL: crashed.url }));
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ parsed: cells, stored: 0, unchanged: cells, revised: 0, rejected: 0 });

    // The windows of every series: as a from-scratch recomputation from the raw readings gives them.
    const series = (await crashed.db.selectFrom('parameter').select(['id', 'code']).where('code', 'in', ['pm2_5', 'pm10', 'so2', 'no2', 'co', 'o3']).execute()).map((p) => ({ siteId, parameterId: p.id, parameter: p.code }));
    const span = await crashed.db.selectFrom('reading').select((eb) => [eb.fn.min('observed_at').as('first'), eb.fn.max('observed_at').as('last')]).executeTakeFirstOrThrow();
    // Stored: the moving windows of each series' horizon (the rest are computed when read), every day, month and year.
    const newest = new Map((await crashed.db.selectFrom('series_watermark').select(['parameter_id', 'latest_hour']).execute()).map((w) => [w.parameter_id, w.latest_hour.getTime()]));
    const expected = (await recomputeAggregates(crashed.db, series, span.first, span.last)).filter((w) => (w.kind !== '8h' && w.kind !== '24h') || w.windowEnd.getTime() >= firstStoredEnd(newest.get(w.parameterId) ?? Infinity));
    const stored = await crashed.db.selectFrom('window_aggregate').select(['parameter_id', 'kind', 'window_end', 'sum', 'valid_count', 'value']).execute();
    const key = (r: { parameterId: number; kind: string; windowEnd: Date }) => `${r.parameterId}|${r.kind}|${r.windowEnd.toISOString()}`;
    expect(new Map(stored.map((w) => [key({ parameterId: w.parameter_id, kind: w.kind, windowEnd: w.window_end }), [w.valid_count, w.value === null ? null : parseDecimal(w.value)]]))).toEqual(
      new Map(expected.map((w) => [key(w), [w.validCount, w.value === null ? null : parseDecimal(w.value)]])),
    );

    const uninterrupted = await runEnvmon(importArgs(), cleanEnv({ DATABASE_URL: clean.url }));
    expect(uninterrupted.code, uninterrupted.stderr).toBe(0);
    const reference = await derivedState(clean.db);
    expect(reference.alerts.length).toBeGreaterThan(0);
    expect(await derivedState(crashed.db)).toEqual(reference);
    expect(await crashed.db.selectFrom('windows_pending').select('id').execute()).toEqual([]);
  });
});
