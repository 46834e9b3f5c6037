/**
 * The readings of an HJ 212 data upload. Which field holds the value depends on the command (HJ 212-2017 §6.6):
 * real-time data (CN 2011) carries `-Rtd`; minute (2051), hourly (2061) and daily (2031) data carry period
 * statistics `-Avg/-Min/-Max`, stored here as the `-Avg`. `DataTime` is Beijing time; for period data it is the
 * period's start, so the stored interval end is DataTime + the period. The `-Flag` data flag (N normal, F stopped,
 * M maintenance, S set value, D fault, C calibration, T over range, B communication fault) is kept with the value.
 */
import { hj212Codes } from '../../standards/parameters.ts';
import { BEIJING_OFFSET_MS, DAY_MS, HOUR_MS } from '../../lib/time.ts';
import type { AveragingPeriod, RawReading, SourceRecord } from '../source-adapter.ts';
import type { Hj212Packet } from './packet.ts';

export interface StationBinding {
  /** The site the station's MN stands for. */
  site: string;
  /** Units the station sends, by parameter code; default: each parameter's canonical unit. */
  units?: Readonly<Record<string, string>>;
  /** Minute-data interval (CN 2051), minutes. */
  minuteIntervalMinutes?: number;
}

const commands: Record<string, { period: AveragingPeriod; field: string; lengthMs: (b: StationBinding) => number }> = {
  '2011': { period: 'minute', field: 'Rtd', lengthMs: () => 0 },
  '2051': { period: 'minute', field: 'Avg', lengthMs: (b) => (b.minuteIntervalMinutes ?? 10) * 60_000 },
  '2061': { period: 'hour', field: 'Avg', lengthMs: () => HOUR_MS },
  '2031': { period: 'day', field: 'Avg', lengthMs: () => DAY_MS },
};

/** Whether the packet is a data upload envmon stores. */
export function isDataUpload(packet: Pick<Hj212Packet, 'cn'>): boolean {
  return packet.cn in commands;
}

export function packetRecord(packet: Hj212Packet, binding: StationBinding, defaultUnits: (parameter: string) => string): SourceRecord {
  const raw = maskPassword(packet.dataSegment);
  const command = commands[packet.cn];
  if (!command) return { raw, readings: [], problem: `CN ${packet.cn} is not a data upload` };
  const readings: RawReading[] = [];
  let dataTime: Date | null = null;
  for (const group of packet.cp) {
    if (group.DataTime !== undefined) {
      dataTime = parseDataTime(group.DataTime);
      if (!dataTime) return { raw, readings: [], problem: `invalid DataTime "${group.DataTime}"` };
    }
    for (const [key, value] of Object.entries(group)) {
      const dash = key.lastIndexOf('-');
      if (dash <= 0) continue;
      const code = key.slice(0, dash);
      const suffix = key.slice(dash + 1);
      const wanted = suffix === command.field || (command.field === 'Avg' && suffix === 'Rtd' && group[`${code}-Avg`] === undefined);
      if (!wanted) continue;
      if (!dataTime) return { raw, readings: [], problem: 'data without DataTime' };
      const parameter = hj212Codes.get(code) ?? code;
      readings.push({
        site: binding.site,
        parameter,
        period: command.period,
        observedAt: new Date(dataTime.getTime() + command.lengthMs(binding)),
        value,
        unit: binding.units?.[parameter] ?? defaultUnits(parameter),
        flag: group[`${code}-Flag`] ?? 'N',
        ...(command.period === 'minute' ? { intervalMinutes: command.lengthMs(binding) / 60_000 } : {}),
      });
    }
  }
  return { raw, readings };
}

/** `YYYYMMDDhhmmss` (optionally with milliseconds), Beijing time. */
function parseDataTime(text: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})?$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(utc);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return new Date(utc - BEIJING_OFFSET_MS);
}

/** The station password never leaves the listener: stored and shown input has it masked. */
export function maskPassword(text: string): string {
  return text.replace(/(^|;|##\d{4})PW=[^;]*/g, '$1PW=***').replace(/;PW=[^;]*/g, ';PW=***');
}
