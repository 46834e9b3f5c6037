/**
 * A redis-server of the test's own on a free port, which the test may kill and start again on the same port with
 * the same data — never the shared server at 127.0.0.1:6379. It runs as production should: append-only file synced
 * on every write and `maxmemory-policy noeviction` (BullMQ loses jobs if Redis evicts keys).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../../lib/free-port.ts';
import { trackResource } from '../../support/resources.ts';

export interface PrivateRedis {
  readonly url: string;
  /** SIGKILL: a crash; what was acknowledged is in the append-only file. */
  kill(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

export async function startPrivateRedis(options: { track?: boolean } = {}): Promise<PrivateRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'envmon-faults-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const release = options.track === false ? () => undefined : trackResource(`redis-server on ${port}`);
  const server: PrivateRedis = {
    url,
    start: async () => {
      if (child) return;
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction'];
      const started = spawn('redis-server', args, { stdio: 'ignore' });
      child = started;
      exited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
      void exited.then(() => {
        if (child === started) child = null;
      });
      const deadline = Date.now() + 20_000;
      while (!(await answers(url))) {
        if (child !== started) throw new Error('the private redis-server exited while starting');
        if (Date.now() > deadline) throw new Error('the private redis-server did not start within 20 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    kill: async () => {
      child?.kill('SIGKILL');
      await exited;
    },
    destroy: async () => {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
      release();
    },
  };
  await server.start();
  return server;
}

export async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
