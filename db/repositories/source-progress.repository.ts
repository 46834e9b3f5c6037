/** How far each source's data has got: the newest interval it delivered, and how far evaluation has followed. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface SourceProgress {
  /** Series (site × parameter) the source ever delivered. */
  readonly series: number;
  /** The latest interval end it delivered, over its series. */
  readonly latestData: Date | null;
  /**
   * The evaluation watermark of its furthest-behind series (the oldest `series_watermark.latest_hour`); null when
   * none of its series has been evaluated yet.
   */
  readonly oldestWatermark: Date | null;
}

export async function sourceProgress(db: Kysely<Database>): Promise<Map<string, SourceProgress>> {
  const rows = await db
    .selectFrom('source_series as s')
    .leftJoin('series_watermark as w', (join) => join.onRef('w.site_id', '=', 's.site_id').onRef('w.parameter_id', '=', 's.parameter_id'))
    .select((eb) => ['s.source_id', eb.fn.countAll<string>().as('series'), eb.fn.max('s.latest_at').as('latest'), eb.fn.min('w.latest_hour').as('watermark')])
    .groupBy('s.source_id')
    .execute();
  return new Map(rows.map((r) => [r.source_id, { series: Number(r.series), latestData: r.latest, oldestWatermark: r.watermark }]));
}
