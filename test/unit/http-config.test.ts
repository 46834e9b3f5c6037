/** The HTTP server's settings: where it listens and whether the JSON API asks for a token. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/config-error.ts';
import { loadConfig } from '../../config/load-config.ts';

const root = path.resolve(import.meta.dirname, '../..');

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, root);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.file}: ${p.path}: expected ${p.expected}`);
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('HTTP settings', () => {
  it('listen on the loopback interface and require tokens unless told otherwise', () => {
    const config = loadConfig({ ENVMON_HTTP_PORT: '8080' }, root);
    expect(config.httpHost).toBe('127.0.0.1');
    expect(config.httpAuth).toBe('token');
  });

  it('take an address or host name to listen on, and "none" to open the API', () => {
    expect(loadConfig({ ENVMON_HTTP_HOST: '0.0.0.0' }, root).httpHost).toBe('0.0.0.0');
    expect(loadConfig({ ENVMON_HTTP_HOST: '::1' }, root).httpHost).toBe('::1');
    expect(loadConfig({ ENVMON_HTTP_HOST: 'localhost' }, root).httpHost).toBe('localhost');
    expect(loadConfig({ ENVMON_HTTP_AUTH: 'none' }, root).httpAuth).toBe('none');
  });

  it('refuse anything else, naming the variable', () => {
    expect(problemsOf({ ENVMON_HTTP_HOST: 'http://0.0.0.0', ENVMON_HTTP_AUTH: 'off' })).toEqual([
      'environment: ENVMON_HTTP_HOST: expected an IP address or host name to listen on, such as 127.0.0.1 or 0.0.0.0',
      'environment: ENVMON_HTTP_AUTH: expected "token" (bearer tokens required) or "none" (open API)',
    ]);
  });

  it('serve the console on port 8080 unless told another port, or off for none', () => {
    expect(loadConfig({}, root).httpPort).toBe(8080);
    expect(loadConfig({ ENVMON_HTTP_PORT: '9090' }, root).httpPort).toBe(9090);
    expect(loadConfig({ ENVMON_HTTP_PORT: 'off' }, root).httpPort).toBeNull();
    expect(problemsOf({ ENVMON_HTTP_PORT: '70000' })).toEqual(['environment: ENVMON_HTTP_PORT: expected a port number from 1 to 65535, or off (no HTTP server)']);
    expect(problemsOf({ ENVMON_HTTP_PORT: 'none' })).toEqual(['environment: ENVMON_HTTP_PORT: expected a port number from 1 to 65535, or off (no HTTP server)']);
  });
});

describe('console settings', () => {
  const withFile = (text: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'envmon-console-'));
    writeFileSync(path.join(dir, 'console.yaml'), text);
    return { ENVMON_CONFIG: path.join(dir, 'console.yaml') };
  };

  it('default to signed-in reading, 12-hour sessions and no proxy', () => {
    expect(loadConfig({}, root).console).toEqual({ anonymousRead: false, sessionHours: 12, trustProxy: false });
    expect(loadConfig(withFile('console: { anonymousRead: true, sessionHours: 720, trustProxy: true }'), root).console).toEqual({ anonymousRead: true, sessionHours: 720, trustProxy: true });
  });

  it('name the file, the key and what is expected', () => {
    const env = withFile('console:\n  sessionHours: 0\n  anonymousRead: "yes"\n  trustproxy: true\n');
    const problems = problemsOf(env);
    expect(problems).toHaveLength(3);
    expect(problems.every((p) => p.startsWith(`${path.relative(root, env.ENVMON_CONFIG)}: console.`))).toBe(true);
    expect(problems.find((p) => p.includes('console.sessionHours'))).toMatch(/expected .*1/);
    expect(problems.find((p) => p.includes('console.anonymousRead'))).toMatch(/expected .*(true|bool)/i);
    expect(problems.some((p) => p.includes('trustproxy'))).toBe(true);
  });
});
