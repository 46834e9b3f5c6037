/**
 * The shapes of period assessments: what `envmon assess` prints with --json, GET /api/assess serves and the
 * monthly and annual reports show. Values are exact decimals as strings, rounded by GB/T 8170 to the published
 * precision; a figure whose data are too few is `valid: false` with `value: null` and says how many it had.
 */
import type { WaterClass } from './water-class.ts';

/** The six pollutants of the comprehensive index (环境空气质量综合指数). */
export type AssessedPollutant = 'so2' | 'no2' | 'pm10' | 'pm2_5' | 'co' | 'o3_8h';
export const assessedPollutants: readonly AssessedPollutant[] = ['so2', 'no2', 'pm10', 'pm2_5', 'co', 'o3_8h'];

/** A period concentration: mean of daily means, or the HJ 663 percentile for CO (95th) and O3-8h (90th). */
export interface PeriodConcentration {
  value: string | null;
  /** Daily values that took part. */
  validCount: number;
  /** Daily values GB 3095 Table 4 requires for the period (324 a year, 27 a month, 25 in February, …). */
  required: number;
  valid: boolean;
  /** Statistic: 'mean' | 'p95' | 'p90'. */
  statistic: 'mean' | 'p95' | 'p90';
}

/** The day-count and concentration figures of one period, with or without the dust-affected days. */
export interface AirFigures {
  /** Natural days in the period. */
  days: number;
  /** Days with a daily AQI. */
  validDays: number;
  /** Days with AQI ≤ 100. */
  goodDays: number;
  /** goodDays / validDays in percent, one decimal; null without valid days. */
  goodRatio: string | null;
  /** Days with AQI > 200. */
  heavyDays: number;
  heavyRatio: string | null;
  /** Days per AQI category, keyed by its Chinese name (优, 良, 轻度污染, 中度污染, 重度污染, 严重污染). */
  categories: Record<string, number>;
  /** Days each pollutant was the day's primary pollutant (a day with two counts for both). */
  primaryPollutantDays: Record<string, number>;
  concentrations: Record<AssessedPollutant, PeriodConcentration>;
  /** C/S per pollutant, two decimals; null when the concentration is not valid. */
  subIndices: Record<AssessedPollutant, string | null>;
  /** Sum of the six sub-indices, two decimals; null when any concentration is not valid. */
  compositeIndex: string | null;
  /** The pollutant with the largest sub-index (several when tied). */
  primaryPollutant: AssessedPollutant[] | null;
}

export interface AirAssessment extends AirFigures {
  /** One of site / area is set. */
  site?: string;
  area?: string;
  /** Chinese name of the site, or the area. */
  name: string;
  /** Sites whose mean makes an area's value. */
  sites?: string[];
  /** YYYY-MM-DD, both inclusive, natural days in Beijing time. */
  from: string;
  to: string;
  /** Editions applied (HJ 633-2012 before 2026-03-01, HJ 633-2026 after) and a note when the period spans both. */
  standard: { editions: string[]; note: string | null };
  /** Dust-affected days marked in the period (扣沙). */
  dustDays: string[];
  withoutDust: AirFigures;
  /** The same period a year earlier and the change in percent ((this − last) / last; negative = improved for
   * concentrations and the composite index). */
  previousYear: {
    from: string;
    to: string;
    figures: AirFigures | null;
    change: { compositeIndex: string | null; pm2_5: string | null; goodRatio: string | null };
  };
  /** simulated / replayed data took part (模拟数据 / 回放数据); null for measured data. */
  originLabel: string | null;
}

/** One line of `envmon rank`. */
export interface RankRow {
  rank: number;
  /** Several rows share a rank when their values are equal. */
  tied: boolean;
  site?: string;
  area?: string;
  name: string;
  value: string | null;
  /** Why a row is not ranked (rank 0, value null), in Chinese. */
  reason?: string;
  assessment: AirAssessment;
}

/** One water section in one month (or the year to date): single-factor class against its target in force. */
export interface WaterSectionPeriod {
  site: string;
  name: string;
  kind: 'surface_water' | 'drinking_water_source';
  /** 'YYYY-MM', or 'YYYY-01..YYYY-MM' for the year to date. */
  period: string;
  samples: number;
  /** Mean per parameter that takes part, exact and rounded. */
  means: Record<string, string>;
  class: WaterClass | null;
  /** Parameters that set the class (the worst). */
  worstParameters: string[];
  target: { id: string; class: WaterClass; document: string; reference: boolean } | null;
  meetsTarget: boolean | null;
  /** Labels of assumptions used (e.g. the winter months of a seasonal NH3-N limit). */
  assumptions: string[];
  originLabel: string | null;
  /** Parameters over what the target allows (their class worse than the target class, a seasonal limit, Table 2). */
  exceeding?: string[];
  /** The target's seasonal special limits in force, each against its mean. */
  seasonal?: { parameter: string; limit: number; value: string; breached: boolean; assumption?: string }[];
  /** The standard applied (for drinking-water sources Table 1 and the Table 2 supplementary items). */
  standard?: string;
}

export interface WaterAssessment {
  from: string;
  to: string;
  /** Per section and month. */
  months: WaterSectionPeriod[];
  /** Per section over the whole period. */
  period: WaterSectionPeriod[];
  /** Surface-water sections at Class III or better (share of assessed sections). */
  classIIIOrBetter: { count: number; assessed: number; ratio: string | null };
  /** Drinking-water sources meeting their class (share of assessed sources). */
  drinkingWaterCompliance: { count: number; assessed: number; ratio: string | null };
}
