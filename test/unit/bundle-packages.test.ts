/**
 * The build's bundles of kysely and zod (scripts/bundle-packages.mjs): one file each under dist/node_modules/ that
 * exports what the package exports, none for a package the compiled code imports by a subpath (a bundle holds the main
 * entry only), and a build made stale by another version of a bundled package.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { hashSources } from '../../bin/build-stamp.mjs';
import { bundledManifests, bundlePackages } from '../../scripts/bundle-packages.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A dist/ folder holding one compiled file with the given text. */
function distWith(text: string): string {
  const dist = mkdtempSync(path.join(tmpdir(), 'envmon-bundles-'));
  folders.push(dist);
  mkdirSync(path.join(dist, 'db'));
  writeFileSync(path.join(dist, 'db', 'connect.js'), text);
  return dist;
}

const version = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;

describe('bundled packages', () => {
  it('are one file each that exports what the package exports, with the version installed', async () => {
    const dist = distWith("import { Kysely } from 'kysely';\nimport { z } from 'zod';\n");
    await bundlePackages(repo, dist);
    for (const name of ['kysely', 'zod']) {
      const folder = path.join(dist, 'node_modules', name);
      const bundle = (await import(pathToFileURL(path.join(folder, 'index.js')).href)) as Record<string, unknown>;
      const original = (await import(name)) as Record<string, unknown>;
      expect(Object.keys(bundle).sort(), name).toEqual(Object.keys(original).sort());
      expect(version(path.join(folder, 'package.json'))).toBe(version(path.join(repo, 'node_modules', name, 'package.json')));
    }
  });

  it('leave a package the compiled code imports by a subpath to node_modules', async () => {
    const dist = distWith("import { jsonArrayFrom } from 'kysely/helpers/postgres';\nimport { z } from 'zod';\n");
    await bundlePackages(repo, dist);
    expect(() => readFileSync(path.join(dist, 'node_modules', 'kysely', 'index.js'))).toThrow(/ENOENT/);
    expect(readFileSync(path.join(dist, 'node_modules', 'zod', 'index.js'), 'utf8').length).toBeGreaterThan(0);
  });

  it('make the build stale when another version of one is installed', () => {
    const project = mkdtempSync(path.join(tmpdir(), 'envmon-bundles-project-'));
    folders.push(project);
    for (const name of ['kysely', 'zod']) {
      mkdirSync(path.join(project, 'node_modules', name), { recursive: true });
      writeFileSync(path.join(project, 'node_modules', name, 'package.json'), JSON.stringify({ name, version: '1.0.0' }));
    }
    const inputs = bundledManifests(project);
    expect(inputs).toEqual([path.join('node_modules', 'kysely', 'package.json'), path.join('node_modules', 'zod', 'package.json')]);
    const before = hashSources(project, inputs);
    writeFileSync(path.join(project, 'node_modules', 'zod', 'package.json'), JSON.stringify({ name: 'zod', version: '1.0.1' }));
    expect(hashSources(project, inputs)).not.toBe(before);
  });
});
