/**
 * Preparing the embedded PostgreSQL's files: the record in the var folder (credentials, and the data folder when it
 * lies outside), the user the server runs as when envmon runs as root, binaries that user can run, and initdb.
 * Every failure says what failed and what to do about it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { Logger } from '../lib/logger.ts';
import { processFailureText } from '../lib/process-failure.ts';
import { SERVER_USER } from './embedded-postgres-location.ts';

export interface EmbeddedRecord {
  user: string;
  password: string;
  /** The data folder, when it is not `<var>/postgres`. */
  dataDir?: string;
}

export interface ServerUser {
  uid: number;
  gid: number;
}

export interface Binaries {
  postgres: string;
  initdb: string;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** `<var>/embedded-postgres.json`: the server's generated credentials, and where its data is if not in var/. */
export function readOrCreateRecord(file: string): EmbeddedRecord {
  if (!existsSync(file)) {
    const record = { user: 'envmon', password: randomBytes(18).toString('base64url') };
    writeRecord(file, record);
    return record;
  }
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<EmbeddedRecord>;
    if (typeof parsed.user !== 'string' || typeof parsed.password !== 'string') throw new Error('user or password missing');
    return { user: parsed.user, password: parsed.password, ...(typeof parsed.dataDir === 'string' ? { dataDir: parsed.dataDir } : {}) };
  } catch (error) {
    throw new Error(`${file} is damaged (${message(error)}); it holds the embedded database's password: restore it, or move the var folder aside to start with a new, empty database`, { cause: error });
  }
}

export function writeRecord(file: string, record: EmbeddedRecord): void {
  writeFileSync(file, JSON.stringify(record), { mode: 0o600 });
}

/** As root, the user the server runs as (created if missing); otherwise null: the server runs as we do. */
export function serverUser(): ServerUser | null {
  if (userInfo().uid !== 0) return null;
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', SERVER_USER], { encoding: 'utf8', stdio: 'pipe' }).trim()),
    gid: Number(execFileSync('id', ['-g', SERVER_USER], { encoding: 'utf8', stdio: 'pipe' }).trim()),
  });
  try {
    return lookup();
  } catch {
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', SERVER_USER], { stdio: 'pipe' });
      return lookup();
    } catch (error) {
      throw new Error(
        `PostgreSQL refuses to run as root, and the user "${SERVER_USER}" it would run as does not exist and could not be created (${processFailureText(error)}): ` +
          `create it (useradd --system --user-group ${SERVER_USER}), run envmon as another user, or set DATABASE_URL`,
        { cause: error },
      );
    }
  }
}

/** Whether `user` may enter `dir`, asked of the system as that user (so groups and ACLs count). */
function canEnter(dir: string, user: ServerUser): boolean {
  return spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/** The first folder on the path down to `dir` (itself included) that `user` cannot enter, or null. */
export function firstBlockedFolder(dir: string, user: ServerUser): string | null {
  const chain: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    chain.unshift(d);
    if (path.dirname(d) === d) break;
  }
  return chain.find((d) => !canEnter(d, user)) ?? null;
}

function canRun(file: string, user: ServerUser): boolean {
  return spawnSync(file, ['--version'], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/**
 * Binaries the server's user can run. Those in node_modules may lie where that user cannot go (a clone in /root):
 * then the package's `native` folder (bin, lib, share; about 60 MB) is copied once per version to
 * `<stateRoot>/postgresql-<version>`, readable by everyone.
 */
export function reachableBinaries(binaries: Binaries, user: ServerUser | null, stateRoot: string, log: Logger): Binaries {
  if (!user || canRun(binaries.initdb, user)) return binaries;
  const native = path.resolve(path.dirname(binaries.initdb), '..');
  const target = path.join(stateRoot, `postgresql-${packageVersion(native)}`);
  const copied = { postgres: path.join(target, 'bin', path.basename(binaries.postgres)), initdb: path.join(target, 'bin', path.basename(binaries.initdb)) };
  if (!existsSync(copied.postgres) || !existsSync(copied.initdb)) {
    log.info('copying the PostgreSQL binaries where the postgres user can run them', { from: native, to: target });
    const partial = `${target}.partial-${process.pid}`;
    try {
      makeOpenFolder(stateRoot);
      rmSync(partial, { recursive: true, force: true });
      cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
      openToAll(partial);
      // Renamed into place whole, so that another envmon starting at the same time never sees half a copy.
      try {
        renameSync(partial, target);
      } catch (error) {
        if (!existsSync(copied.initdb)) throw error;
      }
    } catch (error) {
      throw new Error(`the postgres user cannot run the PostgreSQL binaries in ${native}, and copying them to ${target} failed (${message(error)}): run envmon from a folder that user can enter, or set DATABASE_URL`, { cause: error });
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
  }
  if (!canRun(copied.initdb, user)) {
    throw new Error(`the postgres user cannot run the PostgreSQL binaries in ${native} nor their copy in ${target}: let it enter ${stateRoot} (chmod o+rx), or set DATABASE_URL`);
  }
  return copied;
}

function packageVersion(native: string): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string' && /^[A-Za-z0-9.+-]+$/.test(pkg.version)) return pkg.version;
  } catch {
    // fall through: a copy keyed by nothing better than "unknown" still works, it is just not shared across versions
  }
  return 'unknown';
}

/** Creates a folder (and its parents) that everyone may enter, whatever the umask. */
export function makeOpenFolder(dir: string): void {
  const created = mkdirSync(dir, { recursive: true });
  if (created !== undefined) {
    for (let d = dir; d.startsWith(created); d = path.dirname(d)) chmodSync(d, 0o755);
  }
}

/** Read (and, where it already was for someone, execute) for everyone, throughout a tree: root's umask may be 077. */
function openToAll(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry);
    const stat = lstatSync(file);
    if (stat.isSymbolicLink()) continue;
    if (stat.isDirectory()) {
      chmodSync(file, (stat.mode & 0o7777) | 0o555);
      openToAll(file);
    } else chmodSync(file, (stat.mode & 0o7777) | 0o444 | (stat.mode & 0o100 ? 0o111 : 0));
  }
  chmodSync(dir, (lstatSync(dir).mode & 0o7777) | 0o555);
}

/**
 * Ties a data folder outside the var folder to this var folder: a marker next to it names the var folder that uses
 * it, and the var folder's record names the data folder. A var folder that was moved takes its database along; a
 * copy of a var folder is refused rather than silently sharing the original's database.
 */
export function claimDataDir(dataDir: string, varDir: string, recordFile: string, record: EmbeddedRecord): void {
  const holder = path.dirname(dataDir);
  try {
    makeOpenFolder(holder);
  } catch (error) {
    throw new Error(`cannot create ${holder} for the embedded PostgreSQL's data (${message(error)}): run envmon from a folder the postgres user can enter, or set DATABASE_URL`, { cause: error });
  }
  const marker = path.join(holder, 'var-folder');
  const here = realpathSync(varDir);
  const previous = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : null;
  if (previous !== null && previous !== here) {
    const otherRecord = path.join(previous, 'embedded-postgres.json');
    const other = existsSync(otherRecord) ? (JSON.parse(readFileSync(otherRecord, 'utf8')) as Partial<EmbeddedRecord>) : null;
    if (other?.dataDir === dataDir) {
      throw new Error(`${varDir} is a copy of ${previous}, whose embedded database is in ${dataDir}; to give this copy a new, empty database of its own, remove ${recordFile}`);
    }
  }
  if (previous !== here) writeFileSync(marker, here + '\n', { mode: 0o644 });
  if (record.dataDir !== dataDir) writeRecord(recordFile, { ...record, dataDir });
}

/** Creates the database cluster (initdb) in `dataDir`, owned by the server's user. */
export function initialise(initdb: string, dataDir: string, record: EmbeddedRecord, user: ServerUser | null, log: Logger): void {
  log.info('initialising embedded PostgreSQL', { dataDir });
  const pwFile = path.join(path.dirname(dataDir), '.pwfile');
  try {
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(pwFile, record.password, { mode: 0o600 });
    if (user) {
      chownSync(dataDir, user.uid, user.gid);
      chownSync(pwFile, user.uid, user.gid);
    }
  } catch (error) {
    rmSync(pwFile, { force: true });
    throw new Error(`cannot prepare the embedded PostgreSQL's data folder ${dataDir} (${message(error)}): set ENVMON_VAR_DIR to a folder envmon may write, or set DATABASE_URL`, { cause: error });
  }
  try {
    execFileSync(initdb, ['-D', dataDir, '-U', record.user, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'], {
      stdio: 'pipe',
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
  } catch (error) {
    throw new Error(`initdb failed in ${dataDir}: ${processFailureText(error)}`, { cause: error });
  } finally {
    rmSync(pwFile, { force: true });
  }
}
