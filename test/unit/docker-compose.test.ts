/**
 * The container path, read as Docker would read it (no Docker engine runs in the test environment): images pinned,
 * mail to the Mailpit service without credentials, configuration mounted read-only, a var folder the unprivileged
 * container user can write, and no `.env` in the image.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
  volumes?: string[];
  ports?: string[];
}
// As `docker compose` reads it with no .env: `${NAME:-default}` becomes the default.
const compose = parse(read('docker-compose.yml').replace(/\$\{\w+:-([^}]*)\}/g, '$1'), { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const envmonServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
const dockerfile = read('Dockerfile');

/** An image reference pinned to a release: a tag with a version number (not `latest`), or a digest. */
function isPinned(image: string): boolean {
  const digest = /@sha256:[0-9a-f]{64}$/.test(image);
  const tag = /^[^@]*:([^:/@]+)(@|$)/.exec(image)?.[1];
  return digest || (tag !== undefined && tag !== 'latest' && /\d+\.\d+(\.\d+)?/.test(tag));
}

describe('docker-compose.yml and the image', () => {
  it('pins every image to a release (a version tag with its minor version, or a digest)', () => {
    const images = [...Object.values(compose.services).flatMap((s) => (s.image ? [s.image] : [])), ...[...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1] ?? '')];
    expect(images.length).toBeGreaterThanOrEqual(4);
    expect(images.filter((i) => !isPinned(i))).toEqual([]);
  });

  it('sends mail to the Mailpit service over plain SMTP without credentials (unless .env names another server)', () => {
    expect(envmonServices.map(([name]) => name).sort()).toEqual(['scheduler', 'worker']);
    for (const [name, service] of envmonServices) {
      const url = new URL(service.environment?.ENVMON_SMTP_URL ?? 'missing:');
      expect([name, url.protocol, url.hostname, url.port, url.username, url.password]).toEqual([name, 'smtp:', 'mailpit', '1025', '', '']);
      expect(Object.keys(service.depends_on ?? {})).toContain('mailpit');
    }
    // Mailpit keeps accepting mail without authentication: nothing asks it to require any.
    expect(Object.keys(compose.services.mailpit?.environment ?? {}).filter((k) => k.startsWith('MP_SMTP_AUTH') || k.startsWith('MP_SMTP_REQUIRE'))).toEqual([]);
  });

  it('mounts config/ read-only and var/ on a named volume', () => {
    for (const [name, service] of envmonServices) {
      expect([name, service.volumes ?? []]).toEqual([name, expect.arrayContaining(['./config:/app/config:ro', 'envmon-var:/app/var'])]);
    }
    expect(Object.keys(compose.volumes ?? {})).toContain('envmon-var');
  });

  it('runs the image as an unprivileged user who owns /app/var', () => {
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBe('node');
    const owned = /^RUN\s.*\bmkdir -p \/app\/var\b.*\bchown node:node \/app\/var\b/m.exec(dockerfile);
    expect(owned).not.toBeNull();
    // Created before the switch to that user (a named volume takes the owner of the folder it is mounted on).
    expect(dockerfile.indexOf(owned?.[0] ?? '\0')).toBeLessThan(dockerfile.search(/^USER\s+node/m));
  });

  it('compiles the sources in the image and runs the compiled build', () => {
    const lines = dockerfile.split('\n');
    const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
    // npm ci runs the prepare script (npm run build → dist/) and needs the sources and TypeScript, a dev dependency:
    // so after COPY . ., and before NODE_ENV=production (with which npm ci would leave the dev dependencies out).
    const install = at(/^RUN\s.*\bnpm ci\b/);
    expect(install).toBeGreaterThan(at(/^COPY\s+\.\s+\.(\s|$)/));
    expect(/\bnpm ci\b[^&;]*/.exec(lines[install] ?? '')?.[0]).not.toMatch(/--omit=dev|--ignore-scripts|--production/);
    expect(lines[install]).toMatch(/\bnpm prune --omit=dev\b/);
    expect(at(/^ENV\s+NODE_ENV=production\b/)).toBeGreaterThan(install);
    // A build made on the host (maybe from other sources) stays out of the context.
    expect(read('.dockerignore').split('\n').map((l) => l.trim())).toContain('dist');
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "bin\/envmon\.mjs"\]/m);
  });

  it('keeps .env and local state out of the image', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['.env', '.env.*', 'var', 'node_modules', '.git']));
  });

  it('listens for the API inside the compose network only, and keeps Redis from evicting job keys', () => {
    for (const [name, service] of envmonServices) {
      expect([name, service.environment?.ENVMON_HTTP_HOST, service.ports]).toEqual([name, '0.0.0.0', undefined]);
    }
    expect(compose.services.redis?.command?.join(' ')).toContain('--maxmemory-policy noeviction');
  });
});
