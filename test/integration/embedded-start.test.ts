/**
 * The quick start as a new user meets it: `envmon start` with no DATABASE_URL and no REDIS_URL runs on an
 * embedded PostgreSQL, `envmon status --json` from the same folder sees the readings, and Ctrl-C stops
 * everything cleanly.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, runEnvmon, startEnvmon } from '../support/cli.ts';
import { waitFor } from '../support/wait-for.ts';

const varDir = mkdtempSync(path.join(tmpdir(), 'envmon-embedded-'));
const env = cleanEnv({ ENVMON_VAR_DIR: varDir });
const pidFile = path.join(varDir, 'postgres', 'postmaster.pid');

afterAll(() => rmSync(varDir, { recursive: true, force: true }));

interface Status {
  database: string;
  queues: string;
  readings: number;
  sources: { id: string; readings: number; lastSuccessAt: string | null }[];
}

/**
 * `envmon start` on the fresh folder until both demo sources stored readings, then Ctrl-C: run once per file and
 * awaited by every test that needs it, so that each test also passes alone.
 */
let firstRun: Promise<{ status: Status; pidFileWhileRunning: boolean; code: number | null; output: string }> | undefined;
function startUntilReadingsThenStop(): NonNullable<typeof firstRun> {
  firstRun ??= (async () => {
    const service = await startEnvmon(env, '"scheduler started"');
    let status: Status;
    let pidFileWhileRunning: boolean;
    try {
      status = await waitFor('readings from both sources', async () => {
        const result = await runEnvmon(['status', '--json'], env);
        if (result.code !== 0) throw new Error(`status failed: ${result.stderr}`);
        const parsed = JSON.parse(result.stdout) as Status;
        return parsed.sources.length === 2 && parsed.sources.every((s) => s.readings > 0) ? parsed : null;
      }, 60_000, 500);
      pidFileWhileRunning = existsSync(pidFile);
    } finally {
      service.child.kill('SIGINT');
    }
    return { status, pidFileWhileRunning, code: await service.exited, output: service.output() };
  })();
  return firstRun;
}

describe('embedded start-up', () => {
  it('stores readings from both demo sources, answers status from the same folder, and exits 0 on Ctrl-C', async () => {
    const run = await startUntilReadingsThenStop();
    expect(run.status.database).toBe('embedded');
    expect(run.status.queues).toBe('postgres');
    expect(run.status.readings).toBe(run.status.sources.reduce((n, s) => n + s.readings, 0));
    expect(run.pidFileWhileRunning).toBe(true);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('"embedded PostgreSQL stopped"');
    // PostgreSQL removes its pid file only after a clean shutdown.
    expect(existsSync(pidFile)).toBe(false);
  });

  it('lets the CLI start the stopped database on its own, keeping the data, and stop it again', async () => {
    await startUntilReadingsThenStop();
    const result = await runEnvmon(['status', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout) as Status;
    expect(status.readings).toBeGreaterThan(1000);
    expect(existsSync(pidFile)).toBe(false);
  });
});
