/**
 * Starts the HJ 212 listeners of the configuration. What they receive is queued for `ingest`: the checked uploads of
 * every connection within `UPLOAD_BATCH_MS` as one job (workers/upload-batches.ts), each connection's rejections in
 * batches (one job, so one quarantine write, per batch). Lockouts of
 * password guessers are written to the database when they begin and read back at start-up.
 */
import type { Kysely } from 'kysely';
import type { AppConfig } from '../config/load-config.ts';
import { deleteLockoutsBefore, lockoutsSince, recordLockout } from '../db/repositories/hj212-lockouts.repository.ts';
import type { Database } from '../db/schema.ts';
import { normalizeRecord } from '../ingest/normalize.ts';
import { ingestJob } from '../jobs/ingest.ts';
import type { Enqueue } from '../jobs/job-deps.ts';
import type { Logger } from '../lib/logger.ts';
import type { Metrics } from '../lib/metrics.ts';
import { startHj212Listener, type Hj212Listener } from '../sources/hj212/tcp-listener.ts';
import { uploadBatches } from './upload-batches.ts';

/**
 * How long an upload waits for others before its batch is queued, and the most readings in one batch: 720 grid
 * stations' minute (4,320 values) in two or three transactions instead of 720, for a fifth of a second's delay.
 */
const UPLOAD_BATCH_MS = 200;
const UPLOAD_BATCH_READINGS = 2_000;

/** Listeners by source id. */
export async function startHj212Listeners(config: AppConfig, enqueue: Enqueue, db: Kysely<Database>, log: Logger, now: () => Date, metrics: Metrics): Promise<Map<string, Hj212Listener>> {
  const listeners = new Map<string, Hj212Listener>();
  for (const source of config.sources) {
    if (source.kind !== 'hj212-listener' || !source.enabled) continue;
    const passwords = source.stationPasswords ?? {};
    const lockout = { afterFailures: source.lockout.afterFailures, initialMs: source.lockout.seconds * 1000, maxMs: source.lockout.maxSeconds * 1000 };
    // Lockouts that ended within the longest lockout still count towards the next one's length; older ones are gone.
    const remembered = new Date(now().getTime() - lockout.maxMs);
    await deleteLockoutsBefore(db, source.id, remembered);
    const lockouts = await lockoutsSince(db, source.id, remembered);
    const batches = uploadBatches({ maxWaitMs: UPLOAD_BATCH_MS, maxReadings: UPLOAD_BATCH_READINGS, queue: (readings, rejections) => enqueue(ingestJob, { sourceId: source.id, readings, rejections }) });
    const listener = await startHj212Listener(
      {
        host: source.host,
        port: source.port,
        maxConnections: source.maxConnections,
        maxConnectionsPerAddress: source.maxConnectionsPerAddress,
        maxDataLength: source.maxDataLength,
        idleTimeoutMs: source.idleTimeoutSeconds * 1000,
        frameTimeoutMs: source.frameTimeoutSeconds * 1000,
        packetsPerMinute: source.packetsPerMinute,
        maxGarbageBytes: source.maxGarbageBytes,
        maxRejectedFrames: source.maxRejectedFrames,
        lockout,
        lockouts,
        now,
        metrics: metrics.hj212(source.id),
        stations: source.stations.map((s) => ({ ...s, password: passwords[s.mn] ?? '' })),
      },
      {
        onRecord: async (record) => {
          const { readings, rejections } = normalizeRecord(record, { now: now() });
          await batches.add(readings, rejections);
        },
        onRejected: async (records) => {
          const at = now();
          const rejections = records.flatMap((record) => normalizeRecord(record, { now: at }).rejections);
          await enqueue(ingestJob, { sourceId: source.id, readings: [], rejections });
        },
        onLockout: (locked) => recordLockout(db, source.id, locked),
      },
      log.child({ source: source.id }),
    );
    listeners.set(source.id, {
      address: () => listener.address(),
      close: async () => {
        await listener.close();
        await batches.flush();
      },
    });
  }
  return listeners;
}
