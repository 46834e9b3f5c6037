/**
 * The folder of envmon's package.json, whether this module runs from the TypeScript sources (`lib/`) or from the
 * compiled build (`dist/lib/`). Files read at run time that are not compiled (the console's style sheet and
 * scripts) stay in the source tree and are found from here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const compiled = import.meta.filename.endsWith('.js');

export const projectRoot = path.resolve(import.meta.dirname, compiled ? '../..' : '..');

/**
 * The SHA-256 in the build stamp of the compiled build this runs from (bin/build-stamp.mjs): it names the code
 * exactly. Null when running the sources, which may be edited at any time, or without a stamp.
 */
export function compiledBuildId(): string | null {
  if (!compiled) return null;
  try {
    const stamp = JSON.parse(readFileSync(path.join(projectRoot, 'dist', 'build-stamp.json'), 'utf8')) as { sha256?: unknown };
    return typeof stamp.sha256 === 'string' ? stamp.sha256 : null;
  } catch {
    return null;
  }
}
