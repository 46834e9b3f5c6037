import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NormalizedReading } from '../../ingest/normalize.ts';
import { uploadBatches } from '../../workers/upload-batches.ts';

const reading = (site: string): NormalizedReading => ({ site, parameter: 'pm2_5', period: 'minute', observedAt: '2026-11-20T03:59:00.000Z', value: '35', unit: 'μg/m³', flag: 'N', intervalMinutes: 0 });

afterEach(() => {
  vi.useRealTimers();
});

describe('uploads handed on together', () => {
  it('queues the uploads of one wait as one batch, each upload settled once it is queued', async () => {
    vi.useFakeTimers();
    const queued: string[][] = [];
    const batches = uploadBatches({ maxWaitMs: 200, maxReadings: 100, queue: async (readings) => void queued.push(readings.map((r) => r.site)) });
    const settled: string[] = [];
    const a = batches.add([reading('A')], []).then(() => settled.push('A'));
    const b = batches.add([reading('B'), reading('B')], []).then(() => settled.push('B'));
    await vi.advanceTimersByTimeAsync(199);
    expect(queued).toEqual([]);
    expect(settled).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all([a, b]);
    expect(queued).toEqual([['A', 'B', 'B']]);
    expect(settled).toEqual(['A', 'B']);
  });

  it('queues a full batch at once and starts the next one', async () => {
    vi.useFakeTimers();
    const queued: number[] = [];
    const batches = uploadBatches({ maxWaitMs: 200, maxReadings: 3, queue: async (readings) => void queued.push(readings.length) });
    const full = Promise.all([batches.add([reading('A'), reading('A')], []), batches.add([reading('B')], [])]);
    await full;
    expect(queued).toEqual([3]);
    const next = batches.add([reading('C')], []);
    await vi.advanceTimersByTimeAsync(200);
    await next;
    expect(queued).toEqual([3, 1]);
  });

  it('fails every upload of a batch that could not be queued, so none is acknowledged', async () => {
    const batches = uploadBatches({ maxWaitMs: 1, maxReadings: 100, queue: () => Promise.reject(new Error('queue server away')) });
    const results = await Promise.allSettled([batches.add([reading('A')], []), batches.add([reading('B')], [])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
