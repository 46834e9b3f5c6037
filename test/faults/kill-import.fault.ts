/**
 * kill -9 of `envmon import` at random moments, then the same import run again to completion: readings, rolling
 * windows and alerts must equal one import without faults. Half the kills fall at any moment of the import, half
 * after its readings are stored (while the windows are refreshed), where a kill leaves stored data whose derived
 * state must still be completed by the next run. Every cycle starts from an empty database.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { repoRoot } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';
import { beijingFiles, beijingReadings } from './support/beijing-cells.ts';
import { spawnEnvmon } from './support/envmon-process.ts';
import { printScenario } from './support/scenario-report.ts';
import { faultSeed, seededRandom } from './support/seeded-random.ts';
import { compareStates, stableState, type StableState, type StateTable, type TableDiff } from './support/stable-state.ts';
import { faultConfigFile } from './support/workload.ts';

const CYCLES = 10;
const mapping = path.join(repoRoot, 'config/mappings/beijing-multisite.yaml');
const dir = mkdtempSync(path.join(tmpdir(), 'envmon-kill-import-'));
/** Two stations, January 2016: about 8,900 readings. */
const file = path.join(dir, 'beijing-2016-01.csv');
const stations = beijingFiles.slice(0, 2);

beforeAll(() => {
  const lines = stations.flatMap((f, i) => readFileSync(f, 'utf8').trim().split(/\r?\n/).slice(i === 0 ? 0 : 1));
  writeFileSync(file, lines.filter((line, i) => i === 0 || line.split(',').slice(1, 3).join('-') === '2016-1').join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const importArgs = ['import', file, '--format', 'csv', '--mapping', mapping, '--json'];
const env = (database: TestDatabase) => ({ DATABASE_URL: database.url, ENVMON_CONFIG: faultConfigFile, ENVMON_VAR_DIR: dir, ENVMON_LOG_LEVEL: 'warn' });
const readingCount = async (database: TestDatabase) => Number((await database.db.selectFrom('reading').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('kill -9 of envmon import', () => {
  it(`at random moments (${CYCLES} kills), then a clean run, leaves what one clean import leaves`, async () => {
    // Rows labelled 1 January 00:00 … 31 January 23:00 (the 00:00 row closes 31 December).
    const expected = beijingReadings('2016-01-01T00:00', '2016-01-31T23:00', stations);
    const reference = await createTestDatabase();
    try {
      // The import without faults, timed: how long it takes, and how long after its readings are stored it ends.
      const started = Date.now();
      const once = spawnEnvmon(importArgs, env(reference));
      const storedAt = await waitFor('the reference import to store its readings', async () => {
        if ((await readingCount(reference)) === expected) return Date.now();
        if (once.child.exitCode !== null) throw new Error(`the import ended (${once.child.exitCode}) without storing ${expected} readings:\n${once.output()}`);
        return null;
      }, 120_000, 20);
      expect(await once.exited, once.output()).toBe(0);
      const total = Date.now() - started;
      const afterStore = Date.now() - storedAt;
      const clean: StableState = await stableState(reference.db);
      expect(clean.readings.rows.length).toBe(expected);
      expect(clean.windows.rows.length).toBeGreaterThan(0);

      // Each cycle starts from an empty database: only the run that first stores the data can leave its derived
      // state unfinished. The import is killed once, then run again to completion, and compared.
      const rng = seededRandom(faultSeed());
      const landed = { beforeStored: 0, afterStored: 0, finishedFirst: 0 };
      const totals = new Map<StateTable, TableDiff>();
      const cyclesThatDiffer: string[] = [];
      for (let i = 0; landed.beforeStored + landed.afterStored < CYCLES && i < 3 * CYCLES; i++) {
        const faulted = await createTestDatabase();
        try {
          const run = spawnEnvmon(importArgs, env(faulted));
          const afterStoring = rng.next() < 0.5;
          if (afterStoring) {
            await waitFor('the readings to be stored', async () => (await readingCount(faulted)) === expected || run.child.exitCode !== null, 120_000, 20);
            await new Promise((resolve) => setTimeout(resolve, rng.between(0, afterStore)));
          } else {
            await new Promise((resolve) => setTimeout(resolve, rng.between(0, total)));
          }
          if (run.child.exitCode !== null) {
            landed.finishedFirst++;
            continue;
          }
          const stored = await readingCount(faulted);
          await run.kill9();
          if (stored === expected) landed.afterStored++;
          else landed.beforeStored++;
          const again = spawnEnvmon(importArgs, env(faulted));
          expect(await again.exited, again.output()).toBe(0);
          const diff = compareStates(clean, await stableState(faulted.db));
          if (Object.values(diff).some((d) => !d.checksumEqual)) cyclesThatDiffer.push(`cycle ${i + 1} (killed ${stored === expected ? 'after' : 'before'} the readings were stored)`);
          for (const [table, d] of Object.entries(diff) as [StateTable, TableDiff][]) totals.set(table, add(totals.get(table), d));
        } finally {
          await faulted.drop();
        }
      }

      printScenario(`kill -9 of envmon import (seed ${rng.seed})`, {
        kills: landed.beforeStored + landed.afterStored,
        'kills before all readings were stored': landed.beforeStored,
        'kills after the readings were stored (windows being refreshed)': landed.afterStored,
        'runs that ended before their kill': landed.finishedFirst,
        ...Object.fromEntries((['readings', 'windows', 'alerts', 'outbox'] as const).map((t) => [`${t}: lost / duplicated / spurious / altered (all cycles)`, sums(totals.get(t))])),
        'cycles that differ from one clean import': cyclesThatDiffer.length,
        'import time s (reference)': (total / 1000).toFixed(1),
      });
      expect(cyclesThatDiffer, 'cycles whose result differs from one clean import').toEqual([]);
      expect(landed.beforeStored + landed.afterStored, 'kills that landed').toBe(CYCLES);
      expect(landed.afterStored, 'kills after the readings were stored').toBeGreaterThan(0);
    } finally {
      await reference.drop();
    }
  }, 300_000);
});


function add(a: TableDiff | undefined, b: TableDiff): TableDiff {
  if (!a) return b;
  return { ...b, lost: a.lost + b.lost, duplicated: a.duplicated + b.duplicated, spurious: a.spurious + b.spurious, altered: a.altered + b.altered, checksumEqual: a.checksumEqual && b.checksumEqual };
}

function sums(d: TableDiff | undefined): string {
  return d ? `${d.lost} / ${d.duplicated} / ${d.spurious} / ${d.altered}` : '-';
}
