/**
 * The one interface every source implements: fetch what was published in a time window, as a stream of source
 * records (a CSV row, a packet, a JSON item), each carrying the raw text it came from and the readings read from
 * it. Normalization and validation happen downstream, in `ingest/`.
 */
import type { SiteMetadata } from '../db/repositories/sites.repository.ts';

export type AveragingPeriod = 'minute' | 'hour' | 'day';

/** Readings whose averaging interval ends in (since, until]. */
export interface FetchWindow {
  readonly since: Date;
  readonly until: Date;
}

/** A reading as the source stated it: value text and unit unconverted, time already resolved to an instant. */
export interface RawReading {
  readonly site: string;
  readonly parameter: string;
  readonly period: AveragingPeriod;
  /** End of the averaging interval. */
  readonly observedAt: Date;
  readonly value: string;
  readonly unit: string;
  /** HJ 212 data flag; N (normal) when the source has none. */
  readonly flag?: string;
  /**
   * Minute data only: the minutes the value stands for, ending at `observedAt` (CN 2051: the station's minute-data
   * interval); 0 for an instantaneous real-time sample (CN 2011), which stands for the minute it was taken in.
   * Default 1.
   */
  readonly intervalMinutes?: number;
}

export interface SourceRecord {
  /** The input exactly as received, kept for quarantine and replay. */
  readonly raw: string;
  readonly readings: readonly RawReading[];
  /** Set when the record could not be read at all (malformed row, bad checksum). */
  readonly problem?: string;
  readonly problemCode?: 'malformed' | 'checksum' | 'unauthorized' | 'unknown_site';
  /** Station metadata carried by the record, when the feed has it. */
  readonly site?: SiteMetadata;
}

export interface SourceAdapter {
  fetch(window: FetchWindow, signal: AbortSignal): AsyncIterable<SourceRecord>;
}
