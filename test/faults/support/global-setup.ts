/**
 * The fault tier's servers: a private PostgreSQL (the tier starts and kills many processes, each with its pool;
 * on a server of its own they never crowd the shared one, nor are they crowded out by it) and the Redis the other
 * tiers use (TEST_REDIS_URL, else 127.0.0.1:6379, else a private redis-server). Each scenario then makes its own
 * database and queue prefix on them.
 */
import type { TestProject } from 'vitest/node';
import { startPrivatePostgres } from './private-postgres.ts';
import { answers, redisServerInstalled, startPrivateRedis } from './private-redis.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const postgres = await startPrivatePostgres();
  let redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  let stopRedis: () => Promise<void> = async () => undefined;
  if (!(await answers(redisUrl))) {
    if (process.env.TEST_REDIS_URL) throw new Error('TEST_REDIS_URL does not answer');
    if (!redisServerInstalled()) throw new Error('Redis is needed for the fault tests: install it (e.g. apt-get install redis-server) or set TEST_REDIS_URL');
    const redis = await startPrivateRedis({ track: false });
    redisUrl = redis.url;
    stopRedis = () => redis.destroy();
  }
  project.provide('pgAdminUrl', postgres.adminUrl);
  project.provide('redisUrl', redisUrl);
  return async () => {
    await stopRedis();
    await postgres.destroy();
  };
}
