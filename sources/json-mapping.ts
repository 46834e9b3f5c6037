/** Applies a declarative JSON mapping (`jsonMappingSchema`) to a parsed document. */
import type { JsonMapping } from '../config/schema.ts';
import { select, selectOne } from '../lib/json-path.ts';
import { DAY_MS, HOUR_MS, labelToIntervalEnd } from '../lib/time.ts';
import type { RawReading, SourceRecord } from './source-adapter.ts';

const periodMs = { minute: 60_000, hour: HOUR_MS, day: DAY_MS } as const;

export function* mapJsonDocument(document: unknown, mapping: JsonMapping): Generator<SourceRecord> {
  for (const item of select(document, mapping.items)) {
    const raw = JSON.stringify(item);
    const site = scalar(selectOne(item, mapping.site));
    if (!site) {
      yield { raw, readings: [], problem: `no site at "${mapping.site}"` };
      continue;
    }
    const observedAt = parseTime(selectOne(item, mapping.time.path), mapping);
    if (!observedAt) {
      yield { raw, readings: [], problem: `no valid time at "${mapping.time.path}"` };
      continue;
    }
    const readings: RawReading[] = [];
    const add = (parameter: string, value: unknown, unit: string, flag?: string) => {
      const text = scalar(value);
      if (text !== '') readings.push({ site, parameter, period: mapping.period, observedAt, value: text, unit, ...(flag ? { flag } : {}) });
    };
    for (const v of mapping.values) add(v.parameter, selectOne(item, v.path), v.unit);
    if (mapping.pairs) {
      const p = mapping.pairs;
      for (const pair of select(item, p.path)) {
        const name = scalar(selectOne(pair, p.parameter));
        const unit = p.unit ? scalar(selectOne(pair, p.unit)) : '';
        add(p.parameters[name] ?? name, selectOne(pair, p.value), unit || p.defaultUnit || '', p.flag ? scalar(selectOne(pair, p.flag)) || undefined : undefined);
      }
    }
    yield { raw, readings };
  }
}

/** The latest interval end in a set of records, for time-cursor pagination. */
export function latestTime(records: readonly SourceRecord[]): number {
  let latest = Number.NEGATIVE_INFINITY;
  for (const r of records) for (const reading of r.readings) latest = Math.max(latest, reading.observedAt.getTime());
  return latest;
}

function parseTime(value: unknown, mapping: JsonMapping): Date | null {
  const t = mapping.time;
  let instant: number;
  if (t.format === 'epoch-seconds' || t.format === 'epoch-millis') {
    const n = Number(scalar(value));
    if (!Number.isFinite(n)) return null;
    instant = t.format === 'epoch-seconds' ? n * 1000 : n;
  } else if (t.format === 'iso') {
    const text = scalar(value);
    // An ISO time without an offset would be read in the server's zone: refuse it.
    if (!/(Z|[+-]\d{2}:?\d{2})$/.test(text)) return null;
    instant = Date.parse(text);
  } else {
    const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2})?$/.exec(scalar(value));
    if (!m) return null;
    const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
    return labelToIntervalEnd({ year: y, month: mo, day: d, hour: h, minute: mi }, t.utcOffsetHours * HOUR_MS, t.label, periodMs[mapping.period]);
  }
  if (Number.isNaN(instant)) return null;
  return new Date(t.label === 'hour-ending' ? instant : instant + periodMs[mapping.period]);
}

function scalar(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}
