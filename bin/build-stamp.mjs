/**
 * The build stamp, dist/build-stamp.json: which sources dist/ was compiled from. `npm run build` writes it last, so
 * a build cut short has none. bin/envmon.mjs runs dist/ only while the sources still hash the same: a build left
 * over from other sources (a `git pull`, a checkout or an edit without `npm run build`) is never run. A content
 * hash rather than file times, so that copies and checkouts that only touch files keep the build.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const STAMP_FILE = path.join('dist', 'build-stamp.json');

/** What the compiler reads: TypeScript and JSON (standards data, package.json, tsconfig). */
const COMPILED = /\.(ts|json)$/;

/** SHA-256 of the path and content of every compiled file under `inputs` (folders or files relative to `root`). */
export function hashSources(root, inputs) {
  const hash = createHash('sha256');
  const addFile = (relative) => {
    let content;
    try {
      content = readFileSync(path.join(root, relative));
    } catch {
      content = Buffer.alloc(0);
    }
    hash.update(`${relative}\0${content.length}\0`).update(content);
  };
  const addFolder = (relative) => {
    const entries = readdirSync(path.join(root, relative), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) addFolder(child);
      else if (COMPILED.test(entry.name)) addFile(child);
    }
  };
  for (const input of [...inputs].sort()) {
    if (statSync(path.join(root, input), { throwIfNoEntry: false })?.isDirectory()) addFolder(input);
    else if (COMPILED.test(input)) addFile(input);
  }
  return hash.digest('hex');
}

/** 'current' when dist/ was built from the sources as they are now, 'stale' when from others, 'none' without a build. */
export function buildState(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(root, STAMP_FILE), 'utf8'));
  } catch {
    return 'none';
  }
  const valid = typeof stamp?.sha256 === 'string' && Array.isArray(stamp.inputs) && stamp.inputs.every((i) => typeof i === 'string');
  return valid && hashSources(root, stamp.inputs) === stamp.sha256 ? 'current' : 'stale';
}
