/**
 * Turns cron expressions into jobs: each source's pulls and each periodic check. The slot time is the scheduled
 * minute and job ids are derived from it, so any number of scheduler instances enqueue each slot once.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../lib/logger.ts';

/** One cron-driven job stream. */
export interface ScheduleEntry {
  /** Names the stream in logs, e.g. `pull:beijing-replay`. */
  key: string;
  schedule: string;
  timeZone: string;
  enqueue(slot: Date): Promise<void>;
}

export interface Scheduler {
  /** Enqueues the latest slot of each entry that fell within `lookbackMinutes` of now (missed while down). */
  catchUp(lookbackMinutes: number): Promise<void>;
  stop(): Promise<void>;
}

export interface SchedulerDeps {
  entries: readonly ScheduleEntry[];
  log: Logger;
  now(): Date;
}

export function startScheduler(deps: SchedulerDeps): Scheduler {
  const tasks = new Map<string, ScheduledTask>();
  const inFlight = new Set<Promise<void>>();

  const enqueue = (entry: ScheduleEntry, slot: Date) => {
    const pending = entry.enqueue(slot).catch((error: unknown) => {
      deps.log.error('could not enqueue a scheduled job', { job: entry.key, slot: slot.toISOString(), error: error instanceof Error ? error.message : String(error) });
    });
    inFlight.add(pending);
    void pending.finally(() => inFlight.delete(pending));
    return pending;
  };

  for (const entry of deps.entries) {
    tasks.set(entry.key, cron.schedule(entry.schedule, (context) => enqueue(entry, floorMinute(context.date)), { timezone: entry.timeZone, name: entry.key, noOverlap: false }));
  }
  deps.log.info('scheduler started', { jobs: deps.entries.map((e) => e.key) });

  return {
    catchUp: async (lookbackMinutes) => {
      const now = floorMinute(deps.now());
      await Promise.all(
        deps.entries.map((entry) => {
          const task = tasks.get(entry.key);
          const slot = task ? latestSlot((d) => task.match(d), now, lookbackMinutes) : null;
          return slot ? enqueue(entry, slot) : Promise.resolve();
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
