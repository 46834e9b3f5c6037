/**
 * Writes an HTML page to var/render and screenshots it in headless Chromium with the network off, for the render
 * scripts: proof that a report needs nothing from the network. Throws when no usable PNG comes out.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const renderRoot = path.resolve(import.meta.dirname, '..');
export const renderDir = path.join(renderRoot, 'var/render');

/**
 * Chromium without a sandbox (it runs as root here), a GPU, or any traffic of its own (updates, sync, QUIC probes):
 * on a closed network those background requests are refused many at a time. Shared with the browser tests.
 */
export const CHROMIUM_QUIET_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
];

/** Renders `html` as var/render/<name>.html to var/render/<name>.png at `windowSize` ("W,H"); prints what it wrote. */
export function screenshotOffline(chromium: string, name: string, html: string, windowSize: string): void {
  // What a page would load: src= and <link href=>. A link the reader may follow (<a href>) loads nothing.
  if (/(\bsrc=|<link\b[^>]*\bhref=)"(https?:)?\/\//.test(html) || /url\((['"]?)(https?:)?\/\//.test(html)) throw new Error('the page refers to an external resource');
  mkdirSync(renderDir, { recursive: true });
  const htmlFile = path.join(renderDir, `${name}.html`);
  const pngFile = path.join(renderDir, `${name}.png`);
  writeFileSync(htmlFile, html);
  rmSync(pngFile, { force: true });
  const profile = mkdtempSync(path.join(tmpdir(), 'envmon-chromium-'));
  try {
    // Network off: every host resolves to nothing and any proxy is a dead port; no background traffic.
    const result = spawnSync(
      chromium,
      [
        '--headless',
        ...CHROMIUM_QUIET_FLAGS,
        '--host-resolver-rules=MAP * ~NOTFOUND',
        '--proxy-server=127.0.0.1:9',
        `--user-data-dir=${profile}`,
        `--window-size=${windowSize}`,
        `--screenshot=${pngFile}`,
        `file://${htmlFile}`,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (result.error) throw result.error;
    const size = statSync(pngFile, { throwIfNoEntry: false })?.size ?? 0;
    const png = size > 0 ? readFileSync(pngFile) : Buffer.alloc(0);
    if (size < 10_000 || png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') {
      process.stderr.write(result.stderr.slice(-2000));
      throw new Error(`no usable screenshot (${size} bytes)`);
    }
    process.stdout.write(`rendered ${path.relative(renderRoot, htmlFile)} offline to ${path.relative(renderRoot, pngFile)} (${size} bytes)\n`);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
