/** Runs the real `envmon` executable as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './test-service.ts';

export const envmonBin = path.join(repoRoot, 'bin', 'envmon.mjs');

/**
 * The environment of a fresh shell: none of the variables envmon reads, plus `extra`; no HTTP server unless `extra`
 * sets ENVMON_HTTP_PORT (the default would bind 8080).
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key === 'DATABASE_URL' || key === 'REDIS_URL' || key.startsWith('ENVMON_')) delete env[key];
  return { ...env, ENVMON_HTTP_PORT: 'off', ...extra };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runEnvmon(args: readonly string[], env: NodeJS.ProcessEnv, cwd = repoRoot, bin = envmonBin, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) child.stdin?.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `envmon start` and resolves once it logged `marker`. */
export function startEnvmon(env: NodeJS.ProcessEnv, marker: string, cwd = repoRoot, bin = envmonBin): Promise<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'start'], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes(marker)) resolve({ child, output: () => output, exited });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => reject(new Error(`envmon exited with ${code} before "${marker}":\n${output}`)));
  });
}
