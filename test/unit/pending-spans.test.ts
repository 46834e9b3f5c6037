/** Pending marks become the spans evaluation takes: per series, overlapping or adjoining spans merged, others kept. */
import { describe, expect, it } from 'vitest';
import type { PendingMark } from '../../db/repositories/windows-pending.repository.ts';
import { spansBySite } from '../../evaluate/finish-pending.ts';

let id = 0;
const mark = (site: string, parameter: string, from: string, to: string): PendingMark => ({ id: ++id, siteId: site.length, parameterId: parameter.length, site, parameter, from: new Date(from), to: new Date(to), runRules: true });

describe('spansBySite', () => {
  it('merges overlapping and adjoining spans of a series, keeps disjoint ones and other series apart', () => {
    const spans = spansBySite([
      // Two pulls refetching the same hours: (00:00, 05:00] and (03:00, 08:00] → (00:00, 08:00].
      mark('A', 'pm2_5', '2026-11-20T00:00:00Z', '2026-11-20T05:00:00Z'),
      mark('A', 'pm2_5', '2026-11-20T03:00:00Z', '2026-11-20T08:00:00Z'),
      // The next batch starts where the last ended: (08:00, 10:00] adjoins → (00:00, 10:00].
      mark('A', 'pm2_5', '2026-11-20T08:00:00Z', '2026-11-20T10:00:00Z'),
      // A revision of an old hour, far before: kept apart (the hours between are not judged again).
      mark('A', 'pm2_5', '2026-11-01T05:00:00Z', '2026-11-01T06:00:00Z'),
      mark('A', 'o3', '2026-11-20T03:00:00Z', '2026-11-20T04:00:00Z'),
      mark('B', 'pm2_5', '2026-11-20T00:00:00Z', '2026-11-20T01:00:00Z'),
    ]);
    expect(Object.fromEntries(spans)).toEqual({
      A: [
        { parameter: 'pm2_5', from: '2026-11-01T05:00:00.000Z', to: '2026-11-01T06:00:00.000Z' },
        { parameter: 'pm2_5', from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T10:00:00.000Z' },
        { parameter: 'o3', from: '2026-11-20T03:00:00.000Z', to: '2026-11-20T04:00:00.000Z' },
      ],
      B: [{ parameter: 'pm2_5', from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T01:00:00.000Z' }],
    });
  });
});
