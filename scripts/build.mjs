/**
 * `npm run build` (also run by `npm ci` and `npm install` through `prepare`): compiles the TypeScript sources to
 * JavaScript in dist/ (tsconfig.build.json), bundles the packages of many modules that dist/ loads on every command
 * (scripts/bundle-packages.mjs), then writes the build stamp that lets bin/envmon.mjs run them.
 *
 * Without TypeScript (an install with --omit=dev) there is nothing to compile with: it says so and succeeds, and
 * envmon runs its sources through tsx as a checkout without a build does.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { hashSources, STAMP_FILE } from '../bin/build-stamp.mjs';
import { bundledManifests, bundlePackages } from './bundle-packages.mjs';

const root = path.resolve(import.meta.dirname, '..');
const config = 'tsconfig.build.json';

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  process.stderr.write('envmon build: TypeScript is not installed (dev dependencies omitted): no compiled build; envmon runs its sources through tsx\n');
  process.exit(0);
}

const { include } = JSON.parse(readFileSync(path.join(root, config), 'utf8'));
const inputs = [...include, 'package.json', 'tsconfig.json', config, ...bundledManifests(root)];
// Hashed before compiling: a file edited while tsc runs makes the stamp disagree, never a build of mixed sources
// that claims to be current.
const sha256 = hashSources(root, inputs);

// A fresh folder: no compiled file of a deleted source stays behind, and no stamp until the build is complete.
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', config], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write(`envmon build: tsc failed (exit ${result.status ?? result.signal}); no compiled build\n`);
  process.exit(1);
}
await bundlePackages(root, path.join(root, 'dist'));
writeFileSync(path.join(root, STAMP_FILE), JSON.stringify({ inputs, sha256 }, null, 2) + '\n');
