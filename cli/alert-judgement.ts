/**
 * The short account `envmon alerts list` gives of what an alert is judged against, from its evidence: a threshold
 * alert's value and limit with units and where the value stands (over the limit; back within it but not past the
 * clear level, so still firing by hysteresis; within it), a water-class alert's class against its target class, a
 * no-data alert's silence, and so on for every rule kind.
 */
import { thresholdPosition } from '../notify/templates.ts';
import { classText, withUnit } from '../standards/labels.ts';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

export function alertJudgement(e: Record<string, unknown>, state?: string): string {
  const parameter = str(e.parameter);
  const value = str(e.value);
  const kind = e.kind ?? (e.level ? 'no_data' : 'threshold');
  switch (kind) {
    case 'threshold': {
      const limit = str(e.limit);
      if (value === null || limit === null) return [parameter, value].filter(Boolean).join(' ');
      const at = `${parameter ?? ''} ${withUnit(value, parameter)}`;
      const position = thresholdPosition(e);
      const limitText = `the limit ${withUnit(limit, parameter)}`;
      if (position === 'over') return `${at} (${e.direction === '<' ? 'below' : 'over'} ${limitText})`;
      if (position === 'holding') return `${at} (back within ${limitText}, clears at ${withUnit(str(e.clearAt) ?? '', parameter)})`;
      return `${at} (within ${limitText})`;
    }
    case 'water_class': {
      const seasonal = Array.isArray(e.seasonalLimits) ? (e.seasonalLimits as { parameter: string; limit: number; value: string; breached: boolean }[]) : [];
      const over = seasonal.filter((l) => l.breached).map((l) => `${l.parameter} ${withUnit(l.value, l.parameter)} over its seasonal limit ${withUnit(l.limit, l.parameter)}`);
      const state = [classText(str(e.class)) || 'no class', ...over].join(', ');
      return `${state} (target ${classText(str(e.targetClass)) || '-'})`;
    }
    case 'rate_of_change':
      return `${parameter ?? ''} ${withUnit(value ?? '', parameter)} (rose from ${withUnit(str(e.previous) ?? '?', parameter)} within an hour)`;
    case 'instrument_state':
      return `${parameter ?? ''} flagged ${str(e.flag) ?? '?'} for ${str(e.flaggedHours) ?? '?'} h`;
    case 'target_at_risk':
      return `${str(e.target) ?? ''} year to date ${str(e.current) ?? 'no data'} (${e.reference === true ? `参考值 ${str(e.required) ?? '-'}，${str(e.statusNote) ?? ''}` : `target ${str(e.required) ?? '-'}`})`;
    case 'no_data':
      if (state === 'resolved') return e.reason === 'no_longer_expected' ? 'no longer expected by the configuration' : 'data resumed';
      if (str(e.silentMinutes) === null) return 'no data';
      return e.neverDelivered === true ? `never delivered (waited ${str(e.silentMinutes) ?? '?'} min)` : `no data for ${str(e.silentMinutes) ?? '?'} min`;
    default:
      return [parameter, value].filter(Boolean).join(' ');
  }
}
