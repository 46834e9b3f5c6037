/**
 * Released migrations are frozen: a database that ran one never runs it again, so an edit after release would
 * leave deployed databases with a schema the code no longer describes. Each released migration's SHA-256 is held
 * here (computed with `sha256sum` from the file as released); a change to one fails this test, and so does a
 * migration that has no recorded checksum yet.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../db/migrations/index.ts';

const folder = path.resolve(import.meta.dirname, '../../db/migrations');

/** SHA-256 of each migration file as released (`sha256sum db/migrations/<name>.ts`). */
const released: Record<string, string> = {
  '20261122T0000_initial': 'aa4e743aeef89650520046f94992f71d1c249d5909b5c3b3482038de61deea19',
  '20261122T0100_bulk_ingest': '02899693dafd456cecb5cb7af00ab4a8e9b0ca61ca26aa0a919b0ca14b61317f',
  '20261130T0000_rolling_aggregates': '55c3b9bafbbe258eb0b594eb796612831ae8c1b595f376d02b8ffae461f829b1',
  '20261130T0100_notification_delivery': '9218a34b49388feb72814a24daed46cb3aa8da0a275e99eaba7f2a7c762074c8',
  '20261201T0100_source_series': '828273232a66d241d08e885309c52af7ff8b4be8d15ed8edae57178bffa7d5c7',
  '20261201T0200_hostile_input': '2dc46473307c5360796aa3fa6b62d73900cbfe4a79bc5685cb5000271da8da7f',
  '20261201T0300_api_tokens': '1351060b323d3b2fa8919afe4a4ff921f77903bba4f74a9afec13b7abc746c15',
  '20261201T0400_windows_pending': 'ff9ad5046bb4f60c9b2a10248acaeb6ce57886e8b6143e40670296cc372d1098',
  '20261202T0100_dust_days': 'e442f342fa19efd6208665f42c8bdbcd6e46b7fa81a807c3e3fc0da1879b1180',
  '20261202T0300_minute_hours': 'db68330ba3f069b943ffa7447942a9d2dde16b7f2483cc24c04b98f62ce6419e',
  '20261202T0400_period_reports': '8a19036151c823bea46355bafc1d4ad1dbc2502eafb11e8ffcd5f8ebbe626ac9',
  '20261203T0100_console_users': '31dc3ff73de073cb79b908891f0540cb19925211557655ce4716532314addef0',
  '20261204T0100_moving_window_horizon': 'ef2a5821e81e5e7880f88cb5e0836a47148886af9b87aad7d5ac3a2d888da799',
  '20261205T0100_minute_retention': '8bc551415447815802d6efe32754992ddbb2f38335075046a5c8e14434db4a97',
};

function checksumOf(name: string): string {
  // Line endings are normalised so a checkout with CRLF (Windows, core.autocrlf) hashes the same.
  const text = readFileSync(path.join(folder, `${name}.ts`), 'utf8').replace(/\r\n/g, '\n');
  return createHash('sha256').update(text).digest('hex');
}

describe('released migrations', () => {
  it('are unchanged since their release', () => {
    const changed = Object.entries(released)
      .filter(([name, sum]) => checksumOf(name) !== sum)
      .map(([name]) => `${name} changed after its release: put the change in a new migration and restore the released file`);
    expect(changed).toEqual([]);
  });

  it('are all still registered', () => {
    const missing = Object.keys(released).filter((name) => !(name in migrations));
    expect(missing).toEqual([]);
  });

  it('each registered migration has a recorded checksum', () => {
    const unrecorded = Object.keys(migrations)
      .filter((name) => !(name in released))
      .map((name) => `${name} has no recorded checksum: record its checksum when it is released ('${name}': '${checksumOf(name)}')`);
    expect(unrecorded).toEqual([]);
  });

  it('every migration file is registered, and registered in name order', () => {
    const files = readdirSync(folder).filter((f) => f !== 'index.ts' && f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
    expect(Object.keys(migrations)).toEqual(files);
  });

  it('import nothing but kysely (they are frozen in time, app code is not)', () => {
    const offending = Object.keys(migrations).flatMap((name) => {
      const text = readFileSync(path.join(folder, `${name}.ts`), 'utf8');
      return [...text.matchAll(/^\s*import\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]).filter((from) => from !== 'kysely').map((from) => `${name} imports ${from}`);
    });
    expect(offending).toEqual([]);
  });
});
