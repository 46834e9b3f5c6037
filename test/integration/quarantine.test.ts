/** An operator's view of rejected input: list, show, replay once the cause is fixed, discard. */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runEnvmon } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { repoRoot } from '../support/test-service.ts';

const sample = path.join(repoRoot, 'test/fixtures/cnemc/2022-03-07T12-north.csv');
let database: TestDatabase;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  database = await createTestDatabase();
  env = cleanEnv({ DATABASE_URL: database.url });
});
afterAll(async () => {
  await database.drop();
});

const json = async <T>(args: string[]): Promise<T> => {
  const result = await runEnvmon(args, env);
  if (result.code !== 0) throw new Error(`envmon ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
};

describe('quarantine commands', () => {
  it('keeps unknown stations in quarantine and stores them once the site exists', async () => {
    const imported = await json<{ stored: number; rejected: number; reasons: Record<string, number> }>(['import', sample, '--format', 'cnemc', '--json']);
    expect(imported.stored).toBe(0);
    // Counted in the CSV: 507 non-empty cells in the six pollutant columns (O3 from o3_24h) of its 88 stations.
    expect(imported.reasons).toEqual({ unknown_site: 507 });

    const listed = await json<{ id: number; code: string; detail: Record<string, string> }[]>(['quarantine', 'list', '--code', 'unknown_site', '--limit', '1000', '--json']);
    expect(listed).toHaveLength(imported.rejected);
    const dongsi = listed.filter((i) => i.detail.site === '1003A');
    expect(dongsi.map((i) => i.detail.parameter).sort()).toEqual(['co', 'no2', 'o3', 'pm10', 'pm2_5', 'so2']);

    const shown = await runEnvmon(['quarantine', 'show', String(dongsi[0]?.id)], env);
    expect(shown.stdout).toContain('reason: unknown_site: unknown site "1003A"');
    expect(shown.stdout).toContain('1003A');

    // The operator registers the station, then replays. Its row: pm2_5 9, pm10 28, so2 2, no2 7, co 0.3, o3_24h 78.
    await database.db.insertInto('site').values({ code: '1003A', name_zh: '东四', name_en: 'Dongsi', kind: 'air_station', area: '北京市' }).execute();
    const replayed = await json<{ id: number; outcome: string }[]>(['quarantine', 'replay', '--all', '--code', 'unknown_site', '--json']);
    expect(replayed.filter((o) => o.outcome === 'stored').map((o) => o.id).sort()).toEqual(dongsi.map((i) => i.id).sort());
    expect(replayed.filter((o) => o.outcome === 'still rejected')).toHaveLength(imported.rejected - 6);

    const values = await database.db.selectFrom('reading').innerJoin('parameter', 'parameter.id', 'reading.parameter_id').select(['parameter.code', 'reading.value']).orderBy('parameter.code').execute();
    expect(values).toEqual([
      { code: 'co', value: '0.3' },
      { code: 'no2', value: '7' },
      { code: 'o3', value: '78' },
      { code: 'pm10', value: '28' },
      { code: 'pm2_5', value: '9' },
      { code: 'so2', value: '2' },
    ]);
    const replayedItems = await json<unknown[]>(['quarantine', 'list', '--status', 'replayed', '--json']);
    expect(replayedItems).toHaveLength(6);
    // What the replayed readings owe is paid at once, as for an import: windows refreshed (a watermark per series),
    // rules run, nothing left pending.
    const watermarks = await database.db.selectFrom('series_watermark').select('parameter_id').execute();
    expect(watermarks).toHaveLength(6);
    const pending = await database.db.selectFrom('windows_pending').select('id').execute();
    expect(pending).toEqual([]);
  });

  it('discards items, keeping them on record', async () => {
    // An item of its own, so that the test does not rest on the import of the one before.
    const first = await database.db.insertInto('quarantine').values({ source_id: null, code: 'malformed', reason: 'row has 3 cells, header has 22', detail: JSON.stringify({}), raw: '2022-03-07T12:00:00,9999A,1' }).returning('id').executeTakeFirstOrThrow();
    const result = await runEnvmon(['quarantine', 'discard', String(first.id), '--note', 'station closed'], env);
    expect(result.stdout.trim()).toBe('1 item(s) discarded');
    const discarded = await json<{ id: number; resolution: string }[]>(['quarantine', 'list', '--status', 'discarded', '--json']);
    expect(discarded).toEqual([expect.objectContaining({ id: first.id, resolution: 'station closed' })]);
    const pending = await json<{ id: number }[]>(['quarantine', 'list', '--limit', '1000', '--json']);
    expect(pending.map((i) => i.id)).not.toContain(first.id);
  });
});
