/** What the queues hold, read from the outside while workers come and go. */
import type { Queues } from '../../../workers/enqueue.ts';

/**
 * Nothing waiting, delayed or running in any queue (failed and completed jobs are over). A notify run waiting for a
 * delivery to fall due (`notify__due__…`, jobs/notify.ts) is a wake-up, not work in progress: under a simulated
 * clock it may lie minutes or hours of real time ahead.
 */
export async function queuesIdle(queues: Queues): Promise<boolean> {
  for (const queue of queues.queues.values()) {
    const counts = await queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
    if (Object.values(counts).some((n) => n > 0)) return false;
    if ((await queue.getDelayed()).some((job) => !(job.id ?? '').startsWith('notify__due__'))) return false;
  }
  return true;
}

/** Jobs that a worker took after `since` (ms) and that are still active: what a kill at this moment interrupts. */
export async function activeSince(queues: Queues, since: number): Promise<{ queue: string; id: string }[]> {
  const out: { queue: string; id: string }[] = [];
  for (const [name, queue] of queues.queues) {
    for (const job of await queue.getActive()) {
      if ((job.processedOn ?? 0) >= since) out.push({ queue: name, id: job.id ?? '' });
    }
  }
  return out;
}

/** Jobs failed for good (every attempt used, or stalled more often than allowed), with their reasons. */
export async function failedJobs(queues: Queues): Promise<{ queue: string; id: string; reason: string }[]> {
  const out: { queue: string; id: string; reason: string }[] = [];
  for (const [name, queue] of queues.queues) {
    for (const job of await queue.getFailed()) out.push({ queue: name, id: job.id ?? '', reason: job.failedReason });
  }
  return out;
}

/** How long each completed job ran, ms, by `queue:id`. */
export async function runTimes(queues: Queues): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  for (const [name, queue] of queues.queues) {
    for (const job of await queue.getCompleted()) {
      if (job.finishedOn && job.processedOn) times.set(`${name}:${job.id ?? ''}`, job.finishedOn - job.processedOn);
    }
  }
  return times;
}
