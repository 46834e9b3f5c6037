/** What a stored batch touched: per site and parameter, hour ends in (first − 1 h, last] of its hourly readings. */
import { describe, expect, it } from 'vitest';
import { TouchedSpans, touchedSeries } from '../../ingest/touched-series.ts';

const reading = (site: string, parameter: string, observedAt: string, period = 'hour') => ({ site, parameter, period, observedAt });

describe('touchedSeries', () => {
  it('spans each series from an hour before its earliest reading to its latest, in any input order', () => {
    const spans = touchedSeries([
      reading('A', 'pm2_5', '2016-03-01T05:00:00.000Z'),
      reading('A', 'pm2_5', '2016-03-01T02:00:00.000Z'),
      reading('A', 'pm2_5', '2016-03-01T09:00:00.000Z'),
      reading('A', 'pm2_5', '2016-03-01T03:00:00.000Z'),
      reading('A', 'o3', '2016-03-01T04:00:00.000Z'),
      // Minute values are derived into hours elsewhere: they touch no hourly series.
      reading('A', 'so2', '2016-03-01T04:01:00.000Z', 'minute'),
      reading('B', 'pm2_5', '2016-02-29T23:00:00.000Z'),
    ]);
    expect(Object.fromEntries(spans)).toEqual({
      A: [
        { parameter: 'pm2_5', from: '2016-03-01T01:00:00.000Z', to: '2016-03-01T09:00:00.000Z' },
        { parameter: 'o3', from: '2016-03-01T03:00:00.000Z', to: '2016-03-01T04:00:00.000Z' },
      ],
      B: [{ parameter: 'pm2_5', from: '2016-02-29T22:00:00.000Z', to: '2016-02-29T23:00:00.000Z' }],
    });
  });

  it('orders instants by time, not by text, when they are spelled with an offset or a six-digit year', () => {
    const touched = new TouchedSpans();
    // 08:00+08:00 is 00:00Z: earlier than 01:00Z although it sorts after it as text.
    touched.add([reading('A', 'pm2_5', '2016-03-01T01:00:00.000Z'), reading('A', 'pm2_5', '2016-03-01T08:00:00+08:00')]);
    // +010000-01-01 is after 9999-12-31 although '+' sorts before '9'.
    touched.add([reading('B', 'pm2_5', '9999-12-31T23:00:00.000Z'), reading('B', 'pm2_5', '+010000-01-01T00:00:00.000Z')]);
    expect(Object.fromEntries(touched.spans())).toEqual({
      A: [{ parameter: 'pm2_5', from: '2016-02-29T23:00:00.000Z', to: '2016-03-01T01:00:00.000Z' }],
      B: [{ parameter: 'pm2_5', from: '9999-12-31T22:00:00.000Z', to: '+010000-01-01T00:00:00.000Z' }],
    });
  });
});
