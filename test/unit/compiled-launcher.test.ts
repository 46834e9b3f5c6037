/**
 * bin/envmon.mjs runs the compiled build only while it was built from the sources as they are: a build of other
 * sources is never run. Checked on a miniature project (a fake dist/ and sources that say which one ran), with the
 * launcher and its build stamp as they are in the repository.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildState, hashSources, STAMP_FILE } from '../../bin/build-stamp.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const project = mkdtempSync(path.join(tmpdir(), 'envmon-launcher-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

const write = (file: string, text: string) => {
  mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
  writeFileSync(path.join(project, file), text);
};
const inputs = ['cli', 'package.json'];
/** What `npm run build` leaves: compiled files, then the stamp of the sources they came from. */
const build = () => {
  write('dist/cli/main.js', "export async function main() { process.stdout.write('compiled'); return 0; }\n");
  write(STAMP_FILE, JSON.stringify({ inputs, sha256: hashSources(project, inputs) }));
};
const ran = () => {
  const result = spawnSync(process.execPath, [path.join(project, 'bin', 'envmon.mjs'), 'status'], { cwd: project, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
};

mkdirSync(path.join(project, 'bin'));
for (const file of ['envmon.mjs', 'build-stamp.mjs']) copyFileSync(path.join(repo, 'bin', file), path.join(project, 'bin', file));
symlinkSync(path.join(repo, 'node_modules'), path.join(project, 'node_modules'));
write('package.json', '{ "type": "module" }\n');
write('cli/main.ts', "export async function main(): Promise<number> { process.stdout.write('sources'); return 0; }\n");
write('web/assets/console.css', 'body {}\n');

describe('bin/envmon.mjs', () => {
  it('runs the sources without a build, the build made from these sources, and the sources again once they change', () => {
    expect([buildState(project), ran()]).toEqual(['none', 'sources']);
    build();
    expect([buildState(project), ran()]).toEqual(['current', 'compiled']);

    // Touched or copied but unchanged (a checkout, cp without timestamps): still the same sources.
    utimesSync(path.join(project, 'cli/main.ts'), new Date(), new Date(Date.now() + 60_000));
    // A file that is not compiled (read from the sources at run time).
    write('web/assets/console.css', 'body { margin: 0 }\n');
    expect([buildState(project), ran()]).toEqual(['current', 'compiled']);

    write('cli/main.ts', "export async function main(): Promise<number> { process.stdout.write('sources, edited'); return 0; }\n");
    expect([buildState(project), ran()]).toEqual(['stale', 'sources, edited']);
    build();
    expect(ran()).toBe('compiled');

    write('cli/new-command.ts', 'export {};\n');
    expect(buildState(project)).toBe('stale');
    rmSync(path.join(project, 'cli/new-command.ts'));
    expect(buildState(project)).toBe('current');
    write('package.json', '{ "type": "module", "version": "0.2.0" }\n');
    expect(buildState(project)).toBe('stale');
  });
});
