/**
 * Finds the PostgreSQL and Redis the integration tests use: TEST_DATABASE_URL / TEST_REDIS_URL, else the local
 * services at 127.0.0.1. Without a PostgreSQL server the embedded one is started; without Redis a private
 * redis-server is started when one is installed. Each test file then makes its own database and queue prefix.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../lib/free-port.ts';
import { createLogger } from '../../lib/logger.ts';
import { findOrStartPostgres } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cleanups: (() => Promise<void>)[] = [];
  const log = createLogger({ level: 'warn', write: (line) => process.stderr.write(line + '\n') });

  const postgres = await findOrStartPostgres(process.env.TEST_DATABASE_URL, log);
  cleanups.push(postgres.stop);

  let redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!(await redisAnswers(redisUrl))) {
    if (process.env.TEST_REDIS_URL) throw new Error('TEST_REDIS_URL does not answer');
    const server = await startPrivateRedis();
    redisUrl = server.url;
    cleanups.push(server.stop);
  }

  project.provide('pgAdminUrl', postgres.adminUrl);
  project.provide('redisUrl', redisUrl);
  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
}

async function redisAnswers(url: string): Promise<boolean> {
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

async function startPrivateRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error('Redis is needed for the integration tests: install it (e.g. apt-get install redis-server) or set TEST_REDIS_URL');
  }
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(url))) {
    if (Date.now() > deadline) throw new Error('the private redis-server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
