/**
 * Where the embedded PostgreSQL keeps its data. PostgreSQL refuses to run as root, so as root it runs as the
 * `postgres` user — who may not be able to enter the folder envmon was started from (a clone in /root, a
 * `mktemp -d` folder). Then the data goes to a folder of its own under /var/lib/envmon, recorded in the var folder.
 */
import { describe, expect, it } from 'vitest';
import { chooseDataDir, type LocationFacts } from '../../db/embedded-postgres-location.ts';
import { processFailureText } from '../../lib/process-failure.ts';

const facts = (overrides: Partial<LocationFacts>): LocationFacts => ({
  varDir: '/root/envmon/var',
  recordedDataDir: null,
  runsAsRoot: false,
  dataInVar: false,
  blockedAt: null,
  stateRoot: '/var/lib/envmon',
  id: 'a1b2c3d4e5f6',
  ...overrides,
});

describe('embedded PostgreSQL data folder', () => {
  it('is <var>/postgres for a user other than root, wherever the var folder is', () => {
    expect(chooseDataDir(facts({ runsAsRoot: false }))).toEqual({ dataDir: '/root/envmon/var/postgres', outside: false });
    expect(chooseDataDir(facts({ runsAsRoot: false, varDir: '/home/li/envmon/var' }))).toEqual({ dataDir: '/home/li/envmon/var/postgres', outside: false });
  });

  it('is <var>/postgres for root when the postgres user can enter the var folder', () => {
    expect(chooseDataDir(facts({ runsAsRoot: true, varDir: '/opt/envmon/var', blockedAt: null }))).toEqual({ dataDir: '/opt/envmon/var/postgres', outside: false });
  });

  it('moves to /var/lib/envmon/<id>/postgres for root when the postgres user cannot enter the var folder', () => {
    expect(chooseDataDir(facts({ runsAsRoot: true, blockedAt: '/root' }))).toEqual({ dataDir: '/var/lib/envmon/a1b2c3d4e5f6/postgres', outside: true });
  });

  it('keeps using a recorded folder, so that the CLI and the service find the same server', () => {
    expect(chooseDataDir(facts({ runsAsRoot: true, blockedAt: '/root', recordedDataDir: '/var/lib/envmon/0f0f0f0f0f0f/postgres', id: 'ffffffffffff' }))).toEqual({ dataDir: '/var/lib/envmon/0f0f0f0f0f0f/postgres', outside: true });
  });

  it('explains that a folder set up by root needs root', () => {
    expect(chooseDataDir(facts({ runsAsRoot: false, recordedDataDir: '/var/lib/envmon/0f0f0f0f0f0f/postgres' }))).toEqual({
      problem: 'the embedded PostgreSQL of /root/envmon/var keeps its data in /var/lib/envmon/0f0f0f0f0f0f/postgres, set up when envmon ran as root: run envmon as root from this folder, or set DATABASE_URL',
    });
  });

  it('keeps existing data in the var folder, and explains how to fix a folder the postgres user can no longer enter', () => {
    expect(chooseDataDir(facts({ runsAsRoot: true, dataInVar: true, varDir: '/opt/envmon/var' }))).toEqual({ dataDir: '/opt/envmon/var/postgres', outside: false });
    const blocked = chooseDataDir(facts({ runsAsRoot: true, dataInVar: true, blockedAt: '/root' }));
    expect(blocked).toEqual({
      problem:
        'the embedded PostgreSQL runs as the user "postgres" (PostgreSQL refuses to run as root), which cannot enter /root to reach its data in /root/envmon/var/postgres: ' +
        'let it pass (chmod o+x /root), or move that data to a PostgreSQL server and set DATABASE_URL',
    });
  });
});

describe('the reason a helper process failed', () => {
  it('is its last error line', () => {
    const error = Object.assign(new Error('Command failed: initdb -D x'), { status: 1, stderr: Buffer.from('initdb: warning: something\ninitdb: error: could not create directory "x": Permission denied\n\n'), stdout: Buffer.from('The files belonging to this database system will be owned by user "postgres".\n') });
    expect(processFailureText(error)).toBe('initdb: error: could not create directory "x": Permission denied');
  });

  it('names the system error when the program could not even start (nothing on stderr)', () => {
    const error = Object.assign(new Error('spawnSync /root/envmon/node_modules/.../initdb EACCES'), { code: 'EACCES', stderr: Buffer.from(''), stdout: Buffer.from('') });
    expect(processFailureText(error)).toBe('spawnSync /root/envmon/node_modules/.../initdb EACCES');
  });

  it('says how it ended when it printed nothing', () => {
    expect(processFailureText(Object.assign(new Error(''), { signal: 'SIGKILL', stderr: '', stdout: '' }))).toBe('killed by SIGKILL, with no output');
    expect(processFailureText(Object.assign(new Error(''), { status: 1, stderr: '', stdout: '' }))).toBe('exit code 1, with no output');
    expect(processFailureText('')).toBe('failed with no output');
  });
});
