/** The typed enqueue function: the job's own schema checks the payload and its options supply id and retries. */
import type { Queue } from 'bullmq';
import type { AppConfig } from '../config/load-config.ts';
import { jobs } from '../jobs/index.ts';
import type { Enqueue } from '../jobs/job-deps.ts';
import type { QueueBackend } from './queue-backend.ts';

export interface Queues {
  readonly enqueue: Enqueue;
  readonly queues: ReadonlyMap<string, Queue>;
  close(): Promise<void>;
}

export function createQueues(backend: QueueBackend, config: Pick<AppConfig, 'queues'>): Queues {
  const queues = new Map<string, Queue>(
    jobs.map((job) => {
      const queue = backend.createQueue(job.name);
      // A queue's connection errors (the server away, reconnecting) are told once for the backend, not per queue.
      queue.on('error', (error: Error) => backend.connectionLost(error));
      return [job.name, queue];
    }),
  );
  const enqueue: Enqueue = async (job, payload) => {
    const queue = queues.get(job.name);
    if (!queue) throw new Error(`no queue for job ${job.name}`);
    const data = job.payloadSchema.parse(payload);
    const opts = job.options(data, { attempts: config.queues.attempts, backoffMs: config.queues.backoffMs });
    await queue.add(job.name, data, {
      removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
      removeOnFail: { age: 30 * 24 * 3600 },
      ...opts,
    });
  };
  return {
    enqueue,
    queues,
    close: async () => {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
