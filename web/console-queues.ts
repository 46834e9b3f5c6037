/**
 * The job queues the console shows under 运维 → 队列: the composition root's BullMQ queues and the backend they
 * live on. Redis queues are shown by bull-board (read-only); PostgreSQL queues by their job counts.
 */
import type { Queue } from 'bullmq';

export interface ConsoleQueues {
  /** Where the queues live (workers/queue-backend.ts `QueueBackend.kind`). */
  readonly kind: 'redis' | 'postgres';
  /** Every queue by job name, as `createQueues(…).queues` returns them; the console never closes them. */
  readonly queues: ReadonlyMap<string, Queue>;
}
