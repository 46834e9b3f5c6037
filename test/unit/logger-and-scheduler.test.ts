import cron from 'node-cron';
import { describe, expect, it } from 'vitest';
import { createLogger, scrub } from '../../lib/logger.ts';
import { latestSlot } from '../../workers/scheduler.ts';
import { jobId } from '../../jobs/job-definition.ts';

describe('logger', () => {
  it('removes secrets and URL passwords from every line', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', secrets: ['tok-123456'], write: (l) => lines.push(l) });
    log.info('connecting', { url: 'postgres://envmon:hunter22@db:5432/envmon', header: 'Bearer tok-123456' });
    log.debug('not shown');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/hunter22|tok-123456/);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ msg: 'connecting', url: 'postgres://envmon:***@db:5432/envmon', header: 'Bearer ***' });
    expect(scrub('redis://:pw@host:6379', [])).toBe('redis://:***@host:6379');
  });
});

describe('latestSlot', () => {
  it('finds the last scheduled minute in the schedule\'s time zone', () => {
    const task = cron.createTask('0 8 * * *', () => undefined, { timezone: 'Asia/Shanghai' });
    try {
      // 08:00 Beijing is 00:00 UTC.
      expect(latestSlot((d) => task.match(d), new Date('2026-11-22T05:17:00Z'), 24 * 60)?.toISOString()).toBe('2026-11-22T00:00:00.000Z');
      expect(latestSlot((d) => task.match(d), new Date('2026-11-22T05:17:00Z'), 60)).toBeNull();
      // The current minute counts, and so does the one exactly lookbackMinutes ago.
      expect(latestSlot((d) => task.match(d), new Date('2026-11-22T00:00:00Z'), 60)?.toISOString()).toBe('2026-11-22T00:00:00.000Z');
      expect(latestSlot((d) => task.match(d), new Date('2026-11-22T01:00:00Z'), 60)?.toISOString()).toBe('2026-11-22T00:00:00.000Z');
    } finally {
      void task.destroy();
    }
  });
});

describe('jobId', () => {
  it('builds ids without BullMQ\'s ":" separator and stable for the same slot', () => {
    const id = jobId('pull', 'beijing-replay', '2026-11-22T05:15:00.000Z');
    expect(id).toBe('pull__beijing-replay__2026-11-22T05_15_00.000Z');
    expect(id).not.toContain(':');
  });
});
