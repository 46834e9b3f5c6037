/**
 * Simulated surface-water automatic-station data for demonstrations: deterministic values that wander around a
 * configured level with a daily cycle, sampled every few hours on Beijing-time boundaries. The same seed, site,
 * parameter and time always give the same value, so re-fetching a window yields identical readings.
 */
import { BEIJING_OFFSET_MS, HOUR_MS } from '../lib/time.ts';
import type { FetchWindow, RawReading, SourceAdapter, SourceRecord } from './source-adapter.ts';

export interface SimulatorSettings {
  readonly intervalHours: number;
  readonly seed: number;
  readonly sites: readonly {
    readonly site: string;
    readonly levels: Readonly<Record<string, { readonly mean: number; readonly spread: number; readonly decimals: number }>>;
  }[];
}

/** Units the simulator states its values in (the parameters' canonical units). */
const units: Record<string, string> = { water_temp: '°C', ph: 'pH', conductivity: 'μS/cm', turbidity: 'NTU' };

export function createWaterSimulator(settings: SimulatorSettings): SourceAdapter {
  const step = settings.intervalHours * HOUR_MS;
  return {
    async *fetch(window: FetchWindow, signal: AbortSignal): AsyncIterable<SourceRecord> {
      // Sample times fall on multiples of the interval in Beijing time (00:00, 04:00, … for 4 h).
      const first = Math.floor((window.since.getTime() + BEIJING_OFFSET_MS) / step) * step - BEIJING_OFFSET_MS + step;
      for (let t = first; t <= window.until.getTime(); t += step) {
        signal.throwIfAborted();
        for (const site of settings.sites) {
          const readings: RawReading[] = Object.entries(site.levels).map(([parameter, level]) => ({
            site: site.site,
            parameter,
            period: 'hour',
            observedAt: new Date(t),
            value: simulatedValue(settings.seed, site.site, parameter, t, level),
            unit: units[parameter] ?? 'mg/L',
          }));
          yield { raw: JSON.stringify({ simulated: true, site: site.site, time: new Date(t).toISOString(), values: Object.fromEntries(readings.map((r) => [r.parameter, r.value])) }), readings };
        }
      }
    },
  };
}

export function simulatedValue(seed: number, site: string, parameter: string, time: number, level: { mean: number; spread: number; decimals: number }): string {
  const key = `${seed}|${site}|${parameter}`;
  const phase = unitNoise(hash(key)) * Math.PI;
  const hourOfDay = ((time + BEIJING_OFFSET_MS) / HOUR_MS) % 24;
  const daily = Math.sin((2 * Math.PI * hourOfDay) / 24 + phase);
  const noise = unitNoise(hash(`${key}|${time}`));
  const value = Math.max(0, level.mean + level.spread * (0.6 * daily + 0.4 * noise));
  // Generated, not measured: rounding a synthetic float here carries no standard's meaning.
  return value.toFixed(level.decimals);
}

/** FNV-1a, 32 bit. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Maps a 32-bit hash to [-1, 1]. */
function unitNoise(h: number): number {
  return (h / 0xffffffff) * 2 - 1;
}
