/**
 * Part of `npm run build`: packages made of many small ES modules are bundled, each into one file, under
 * dist/node_modules/, where Node finds them first when dist/ imports them (a package is looked up in the nearest
 * node_modules folder). Node loads each module of a package separately, and for kysely's 260 modules and zod's 95
 * that cost a command more CPU than its own work; one file each loads in a tenth of the time. The sources (tsx,
 * vitest) use node_modules/ as it is.
 *
 * esbuild, which bundles them, comes with tsx. Without it, or for a package that dist/ imports by a subpath (a bundle
 * holds only the package's main entry), dist/ imports that package from node_modules/ as the sources do.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

/** Packages of many ES modules that dist/ imports on every command, by name only. */
const BUNDLED = ['kysely', 'zod'];

/**
 * The package.json of each bundled package, relative to `root`: inputs of the build stamp, so that another version
 * installed without a new build makes dist/ stale instead of running the old bundle.
 */
export function bundledManifests(root) {
  return BUNDLED.map((name) => path.relative(root, manifestOf(root, name).file));
}

/** Bundles each package into `dist`/node_modules/<name>/; says on stderr which ones it could not. */
export async function bundlePackages(root, dist) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    process.stderr.write(`envmon build: esbuild not found: ${BUNDLED.join(', ')} not bundled (dist/ loads them from node_modules/, slower to start)\n`);
    return;
  }
  const compiled = compiledFiles(dist).map((file) => readFileSync(file, 'utf8'));
  for (const name of BUNDLED) {
    const subpath = new RegExp(`(?:from |import\\()['"]${name}/`);
    if (compiled.some((text) => subpath.test(text))) {
      process.stderr.write(`envmon build: dist/ imports a subpath of ${name}: not bundled (loaded from node_modules/)\n`);
      continue;
    }
    const { manifest } = manifestOf(root, name);
    const folder = path.join(dist, 'node_modules', name);
    mkdirSync(folder, { recursive: true });
    await esbuild.build({
      entryPoints: [fileURLToPath(import.meta.resolve(name))],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Functions and classes keep their names, as some code (error messages, checks of a constructor) reads them.
      keepNames: true,
      outfile: path.join(folder, 'index.js'),
      logLevel: 'warning',
    });
    const bundled = { name, version: manifest.version, type: 'module', exports: './index.js', description: `${name} ${manifest.version} from node_modules/, bundled by scripts/build.mjs` };
    writeFileSync(path.join(folder, 'package.json'), JSON.stringify(bundled, null, 2) + '\n');
  }
}

/** The package.json of `name` where Node looks for it from `root` (its node_modules folder, or a parent's). */
function manifestOf(root, name) {
  for (let dir = root; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'node_modules', name, 'package.json');
    if (existsSync(file)) return { file, manifest: JSON.parse(readFileSync(file, 'utf8')) };
    if (dir === path.dirname(dir)) throw new Error(`envmon build: ${name} is not installed`);
  }
}

function compiledFiles(folder) {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}
