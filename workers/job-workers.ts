/** Starts one BullMQ worker per job in the job list; each validates its payload before the processor runs. */
import { UnrecoverableError, type Worker } from 'bullmq';
import { jobs } from '../jobs/index.ts';
import type { JobDeps } from '../jobs/job-deps.ts';
import { isConnectionError } from './connection-errors.ts';
import type { QueueBackend } from './queue-backend.ts';

/** Lock timing (how soon a dead worker's job is taken over) is the backend's: `queues.lockSeconds`. */
export function startJobWorkers(backend: QueueBackend, deps: JobDeps, concurrency: number): Worker[] {
  return jobs.map((job) => {
    if (typeof job.process !== 'function') throw new Error(`job ${job.name} has no processor`);
    const worker = backend.createWorker(
      job.name,
      async (bullJob) => {
        // Timed whatever happens, a payload refused included: the outcome tells a failed attempt from a finished job.
        const ran = deps.metrics.jobDuration.startTimer({ queue: job.name });
        try {
          const parsed = job.payloadSchema.safeParse(bullJob.data);
          if (!parsed.success) {
            // A malformed payload will never become valid: fail now instead of retrying.
            throw new UnrecoverableError(`invalid ${job.name} payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
          }
          const result = await (job.process as (payload: unknown, deps: JobDeps) => Promise<unknown>)(parsed.data, deps);
          ran({ outcome: 'completed' });
          return result;
        } catch (error) {
          ran({ outcome: 'failed' });
          throw error;
        }
      },
      { concurrency, ...(job.stalls === undefined ? {} : { maxStalledCount: job.stalls }) },
    );
    worker.on('failed', (failed, error) => {
      deps.log.warn('job failed', { queue: job.name, jobId: failed?.id, attempt: failed?.attemptsMade, error: error.message });
    });
    // A lost queue-server connection reaches every worker; the backend tells of it once for all.
    worker.on('error', (error) => (isConnectionError(error) ? backend.connectionLost(error) : deps.log.error('worker error', { queue: job.name, error: error.message })));
    worker.on('stalled', (jobId) => deps.log.warn('job taken up again after its worker stopped answering', { queue: job.name, jobId }));
    return worker;
  });
}
