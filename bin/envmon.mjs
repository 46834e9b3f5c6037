#!/usr/bin/env node
// envmon is written in TypeScript. It runs the compiled JavaScript in dist/ (built by `npm ci` through the
// `prepare` script, or `npm run build`) when that build was made from the sources as they are now; otherwise its
// sources through tsx's loader (a checkout without a build, or sources changed since the build): seconds slower to
// start, never old code.
import path from 'node:path';
import { buildState } from './build-stamp.mjs';

const state = buildState(path.resolve(import.meta.dirname, '..'));
let main;
if (state === 'current') {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  // Said only by the service, whose log is read: other commands keep stderr for their own messages.
  if (state === 'stale' && process.argv[2] === 'start') {
    process.stderr.write('envmon: dist/ was built from other sources than these; running the sources through tsx (run npm run build)\n');
  }
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
