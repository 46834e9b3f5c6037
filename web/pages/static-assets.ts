/**
 * The console's static assets, all served by envmon itself (no CDN): the style sheet, ECharts from the installed
 * package, and the page scripts. Read once at start; versioned by content hash so they may be cached for long.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { projectRoot } from '../../lib/project-root.ts';
import { consoleCss } from './console-css.ts';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

function asset(body: string | Buffer, type: string): Asset {
  const buffer = typeof body === 'string' ? Buffer.from(body) : body;
  return { body: buffer, type, etag: `"${createHash('sha256').update(buffer).digest('base64url').slice(0, 22)}"` };
}

/** ECharts' minified browser build, from node_modules/echarts/dist (the package does not export its dist folder). */
function echartsPath(): string {
  const entry = createRequire(import.meta.url).resolve('echarts');
  const marker = `${path.sep}node_modules${path.sep}echarts${path.sep}`;
  return path.join(entry.slice(0, entry.lastIndexOf(marker) + marker.length), 'dist', 'echarts.min.js');
}

export function loadConsoleAssets(): Map<string, Asset> {
  const here = path.join(projectRoot, 'web', 'assets');
  return new Map([
    ['console.css', asset(consoleCss(), 'text/css; charset=utf-8')],
    ['echarts.min.js', asset(readFileSync(echartsPath()), 'text/javascript; charset=utf-8')],
    ['site-chart.js', asset(readFileSync(path.join(here, 'site-chart.js')), 'text/javascript; charset=utf-8')],
    ['favicon.svg', asset(readFileSync(path.join(here, 'favicon.svg')), 'image/svg+xml')],
  ]);
}

/** GET /assets/<name> for each asset: public (the login page needs the style sheet), ETag and a day's cache. */
export function registerConsoleAssets(app: FastifyInstance): void {
  const assets = loadConsoleAssets();
  for (const [name, a] of assets) {
    app.get(`/assets/${name}`, async (request, reply) => {
      reply.header('cache-control', 'public, max-age=86400').header('etag', a.etag).type(a.type);
      if (request.headers['if-none-match'] === a.etag) return reply.code(304).send();
      return reply.send(a.body);
    });
  }
  // Browsers ask for /favicon.ico whatever the page links to.
  app.get('/favicon.ico', async (_request, reply) => reply.redirect('/assets/favicon.svg', 301));
}
