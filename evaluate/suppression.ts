/**
 * Silences (set by an operator for a while, `envmon alerts silence`) and planned maintenance windows (config):
 * an alert they cover still opens and resolves, with its history, but its notifications are kept as suppressed
 * instead of being sent.
 */
import type { ActiveSilence, Suppression } from '../db/repositories/silences.repository.ts';

export interface AlertSubject {
  rule: string;
  site?: string | null;
  parameter?: string | null;
  source?: string | null;
}

/**
 * The silence covering an alert, if any. An operator's silence covers notifications sent while it lasts; a
 * maintenance window also covers data measured in it (late data from a maintenance day stays quiet).
 */
export function coveringSilence(silences: readonly ActiveSilence[], subject: AlertSubject, dataTime: Date, now: Date): ActiveSilence | null {
  for (const s of silences) {
    const m = s.matcher;
    if (m.rule !== undefined && m.rule !== subject.rule) continue;
    if (m.site !== undefined && m.site !== subject.site) continue;
    if (m.parameter !== undefined && m.parameter !== subject.parameter) continue;
    if (m.source !== undefined && m.source !== subject.source) continue;
    const within = (t: Date) => s.startsAt <= t && t < s.endsAt;
    if (within(now) || (s.id === null && within(dataTime))) return s;
  }
  return null;
}

export function suppressionFor(silences: readonly ActiveSilence[], subject: AlertSubject, dataTime: Date, now: Date): Suppression | undefined {
  const silence = coveringSilence(silences, subject, dataTime, now);
  return silence ? { silenceId: silence.id, reason: silence.reason } : undefined;
}
