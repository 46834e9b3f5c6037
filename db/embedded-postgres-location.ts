/**
 * Where the embedded PostgreSQL keeps its data. Normally `<var>/postgres`. PostgreSQL refuses to run as root, so
 * when envmon runs as root the server runs as the `postgres` user, who may be unable to enter the var folder (a clone
 * in /root, a folder made by `mktemp -d`): then the data gets a folder of its own, `<stateRoot>/<id>/postgres`,
 * whose path is recorded in the var folder so that every envmon command started from it finds the same server,
 * and another clone (another var folder, another id) gets another.
 */
import path from 'node:path';

export interface LocationFacts {
  /** Absolute path of the var folder. */
  varDir: string;
  /** The data folder recorded in `<var>/embedded-postgres.json`, if any. */
  recordedDataDir: string | null;
  runsAsRoot: boolean;
  /** `<var>/postgres` already holds a database. */
  dataInVar: boolean;
  /** The first folder on the way to the var folder the server's user cannot enter (only looked for as root). */
  blockedAt: string | null;
  /** Where data folders outside the var folder go (/var/lib/envmon). */
  stateRoot: string;
  /** A fresh random id, used if a new folder outside the var folder is needed. */
  id: string;
}

export type Location = { dataDir: string; outside: boolean } | { problem: string };

export const SERVER_USER = 'postgres';

export function chooseDataDir(f: LocationFacts): Location {
  const inVar = path.join(f.varDir, 'postgres');
  if (f.recordedDataDir && !f.runsAsRoot) {
    return { problem: `the embedded PostgreSQL of ${f.varDir} keeps its data in ${f.recordedDataDir}, set up when envmon ran as root: run envmon as root from this folder, or set DATABASE_URL` };
  }
  if (f.recordedDataDir) return { dataDir: f.recordedDataDir, outside: true };
  if (!f.runsAsRoot || f.blockedAt === null) return { dataDir: inVar, outside: false };
  if (f.dataInVar) {
    return {
      problem:
        `the embedded PostgreSQL runs as the user "${SERVER_USER}" (PostgreSQL refuses to run as root), which cannot enter ${f.blockedAt} to reach its data in ${inVar}: ` +
        `let it pass (chmod o+x ${f.blockedAt}), or move that data to a PostgreSQL server and set DATABASE_URL`,
    };
  }
  return { dataDir: path.join(f.stateRoot, f.id, 'postgres'), outside: true };
}
