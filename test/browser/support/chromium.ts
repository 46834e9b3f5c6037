/**
 * Debian's Chromium driven by playwright-core (no browser download), with the network off: every host name but
 * the console's loopback address resolves to nothing, so a page that needed a CDN would show it. Every request a
 * page makes is recorded, to prove that.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_QUIET_FLAGS } from '../../../scripts/offline-screenshot.ts';

export const screenshotDir = path.resolve(import.meta.dirname, '../../../var/browser');

export function chromiumPath(): string {
  const candidate = process.env.ENVMON_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(candidate)) throw new Error(`no Chromium at ${candidate}: install Debian's chromium (apt-get install chromium) or set ENVMON_CHROMIUM`);
  return candidate;
}

export async function launchOffline(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      ...CHROMIUM_QUIET_FLAGS,
      // Network off but for this machine's loopback, where the console under test listens.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      '--proxy-server=127.0.0.1:9',
      '--proxy-bypass-list=127.0.0.1',
    ],
  });
}

export interface WatchedPage {
  readonly page: Page;
  /** Every URL requested; every request that failed or was answered 4xx/5xx; console errors. */
  readonly requested: string[];
  readonly failures: string[];
  readonly consoleErrors: string[];
}

export async function openPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const requested: string[] = [];
  const failures: string[] = [];
  const consoleErrors: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  page.on('response', (r) => {
    if (r.status() >= 400) failures.push(`${r.url()}: ${r.status()}`);
  });
  page.on('requestfailed', (r) => {
    const reason = r.failure()?.errorText ?? 'failed';
    // The browser itself cancels what is still loading (the icon, say) when a form's answer replaces the page.
    if (reason !== 'net::ERR_ABORTED') failures.push(`${r.url()}: ${reason}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  return { page, requested, failures, consoleErrors };
}

/** Saves a full-page screenshot as var/browser/<name>.png, a test artefact to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
