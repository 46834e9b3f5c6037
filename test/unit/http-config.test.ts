/** The HTTP server's settings: where it listens and whether the JSON API asks for a token. */
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
});
