import { describe, expect, it } from 'vitest';
import { pullWindow } from '../../jobs/pull.ts';

const config = { lagMinutes: 30, initialBackfillHours: 24, refetchHours: 0, backfillWindowHours: 72 };
const slot = new Date('2026-11-22T06:05:00Z');
const iso = (w: { since: Date; until: Date }) => [w.since.toISOString(), w.until.toISOString()];

describe('pullWindow', () => {
  it('reads from the cursor to the slot less the publication lag', () => {
    expect(iso(pullWindow(slot, new Date('2026-11-22T04:00:00Z'), config))).toEqual(['2026-11-22T04:00:00.000Z', '2026-11-22T05:35:00.000Z']);
  });

  it('reaches back initialBackfillHours for a new source', () => {
    expect(iso(pullWindow(slot, null, config))).toEqual(['2026-11-21T05:35:00.000Z', '2026-11-22T05:35:00.000Z']);
  });

  it('reads its own first window when a later slot, run first, moved the cursor past it', () => {
    // The first pull failed (database down) and is retried after the next slot's pull stored its own day.
    expect(iso(pullWindow(slot, new Date('2026-11-23T05:00:00Z'), config))).toEqual(['2026-11-21T05:35:00.000Z', '2026-11-22T05:35:00.000Z']);
  });

  it('re-reads the last refetchHours for late and revised data', () => {
    expect(iso(pullWindow(slot, new Date('2026-11-22T05:00:00Z'), { ...config, refetchHours: 6 }))).toEqual(['2026-11-21T23:35:00.000Z', '2026-11-22T05:35:00.000Z']);
  });

  it('catches up after downtime only within the backfill window', () => {
    expect(iso(pullWindow(slot, new Date('2026-11-01T00:00:00Z'), config))).toEqual(['2026-11-19T05:35:00.000Z', '2026-11-22T05:35:00.000Z']);
  });
});
