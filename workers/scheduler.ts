/**
 * Turns each enabled source's cron expression into `pull` jobs. The slot time is the scheduled minute, and the
 * job id is derived from source + slot, so any number of scheduler instances enqueue each slot once.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { LoadedSource } from '../config/load-config.ts';
import type { Logger } from '../lib/logger.ts';

type ScheduledSource = Extract<LoadedSource, { schedule: string }>;

export interface Scheduler {
  /** Enqueues the latest slot of each source that fell within `lookbackMinutes` of now (missed while down). */
  catchUp(lookbackMinutes: number): Promise<void>;
  stop(): Promise<void>;
}

export interface SchedulerDeps {
  sources: readonly LoadedSource[];
  enqueuePull(sourceId: string, slot: Date): Promise<void>;
  log: Logger;
  now(): Date;
}

export function startScheduler(deps: SchedulerDeps): Scheduler {
  // Every scheduled source ticks; the pull itself skips a source that is disabled (in the file or by an operator).
  const enabled = deps.sources.filter((s): s is ScheduledSource => 'schedule' in s);
  const tasks = new Map<string, ScheduledTask>();
  const inFlight = new Set<Promise<void>>();

  const enqueue = (sourceId: string, slot: Date) => {
    const pending = deps.enqueuePull(sourceId, slot).catch((error: unknown) => {
      deps.log.error('could not enqueue pull', { source: sourceId, slot: slot.toISOString(), error: error instanceof Error ? error.message : String(error) });
    });
    inFlight.add(pending);
    void pending.finally(() => inFlight.delete(pending));
    return pending;
  };

  for (const source of enabled) {
    const task = cron.schedule(source.schedule, (context) => enqueue(source.id, floorMinute(context.date)), {
      timezone: source.timeZone,
      name: `pull:${source.id}`,
      noOverlap: false,
    });
    tasks.set(source.id, task);
  }
  deps.log.info('scheduler started', { sources: enabled.map((s) => s.id) });

  return {
    catchUp: async (lookbackMinutes) => {
      const now = floorMinute(deps.now());
      await Promise.all(
        enabled.map((source) => {
          const task = tasks.get(source.id);
          const slot = task ? latestSlot((d) => task.match(d), now, lookbackMinutes) : null;
          return slot ? enqueue(source.id, slot) : Promise.resolve();
        }),
      );
    },
    stop: async () => {
      for (const task of tasks.values()) await task.destroy();
      await Promise.all(inFlight);
      deps.log.info('scheduler stopped');
    },
  };
}

/** The most recent minute at or before `now`, within `lookbackMinutes`, that the schedule matches. */
export function latestSlot(matches: (date: Date) => boolean, now: Date, lookbackMinutes: number): Date | null {
  for (let i = 0; i <= lookbackMinutes; i++) {
    const candidate = new Date(now.getTime() - i * 60_000);
    if (matches(candidate)) return candidate;
  }
  return null;
}

function floorMinute(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 60_000) * 60_000);
}
