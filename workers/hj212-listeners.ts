/** Starts the HJ 212 listeners of the configuration; what they receive is queued for `ingest`. */
import type { AppConfig } from '../config/load-config.ts';
import { normalizeRecord } from '../ingest/normalize.ts';
import { ingestJob } from '../jobs/ingest.ts';
import type { Enqueue } from '../jobs/job-deps.ts';
import type { Logger } from '../lib/logger.ts';
import { startHj212Listener, type Hj212Listener } from '../sources/hj212/tcp-listener.ts';

/** Listeners by source id. */
export async function startHj212Listeners(config: AppConfig, enqueue: Enqueue, log: Logger, now: () => Date): Promise<Map<string, Hj212Listener>> {
  const listeners = new Map<string, Hj212Listener>();
  for (const source of config.sources) {
    if (source.kind !== 'hj212-listener' || !source.enabled) continue;
    const passwords = source.stationPasswords ?? {};
    listeners.set(
      source.id,
      await startHj212Listener(
        {
          host: source.host,
          port: source.port,
          maxConnections: source.maxConnections,
          maxDataLength: source.maxDataLength,
          idleTimeoutMs: source.idleTimeoutSeconds * 1000,
          frameTimeoutMs: source.frameTimeoutSeconds * 1000,
          packetsPerMinute: source.packetsPerMinute,
          stations: source.stations.map((s) => ({ ...s, password: passwords[s.mn] ?? '' })),
        },
        {
          onRecord: async (record) => {
            const { readings, rejections } = normalizeRecord(record, { now: now() });
            await enqueue(ingestJob, { sourceId: source.id, readings, rejections });
          },
          onRejected: async (record) => {
            const { rejections } = normalizeRecord(record, { now: now() });
            await enqueue(ingestJob, { sourceId: source.id, readings: [], rejections });
          },
        },
        log.child({ source: source.id }),
      ),
    );
  }
  return listeners;
}
