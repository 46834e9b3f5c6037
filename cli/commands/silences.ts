import { createSilence, endSilence, listSilences } from '../../db/repositories/silences.repository.ts';
import { formatBeijing } from '../../lib/time.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

const DURATION = /^(\d+)\s*(m|h|d)$/;

/** "90m", "2h", "3d" → ms. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return n * (m[2] === 'm' ? 60_000 : m[2] === 'h' ? 3_600_000 : 86_400_000);
}

export const alertsSilenceCommand: Command = {
  path: ['alerts', 'silence'],
  summary: 'hold back notifications of matching alerts for a while (alerts still open and resolve)',
  usage: 'envmon alerts silence [--site CODE] [--parameter P] [--rule ID] [--source ID] (--for 2h | --until ISO) [--from ISO] --reason TEXT --by NAME',
  options: {
    site: { type: 'string' },
    parameter: { type: 'string' },
    rule: { type: 'string' },
    source: { type: 'string' },
    for: { type: 'string' },
    until: { type: 'string' },
    from: { type: 'string' },
    reason: { type: 'string' },
    by: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  run: async ({ values }, context) => {
    const str = (key: string): string | undefined => {
      const v = values[key];
      return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
    };
    const matcher = Object.fromEntries((['site', 'parameter', 'rule', 'source'] as const).flatMap((k) => (str(k) ? [[k, str(k) as string]] : [])));
    if (Object.keys(matcher).length === 0) throw new UsageError('say what to silence: --site, --parameter, --rule and/or --source');
    const reason = str('reason');
    const by = str('by');
    if (!reason) throw new UsageError('--reason TEXT is required');
    if (!by) throw new UsageError('--by NAME is required');
    const startsAt = str('from') ? new Date(str('from') as string) : new Date();
    if (Number.isNaN(startsAt.getTime())) throw new UsageError('--from must be an ISO time such as 2026-11-30T08:00:00+08:00');
    let endsAt: Date;
    if (str('for') && str('until')) throw new UsageError('give --for or --until, not both');
    if (str('for')) {
      const ms = parseDuration(str('for') as string);
      if (ms === null || ms <= 0) throw new UsageError('--for must be a duration such as 90m, 2h or 3d');
      endsAt = new Date(startsAt.getTime() + ms);
    } else if (str('until')) {
      endsAt = new Date(str('until') as string);
      if (Number.isNaN(endsAt.getTime())) throw new UsageError('--until must be an ISO time such as 2026-11-30T18:00:00+08:00');
    } else throw new UsageError('give --for DURATION or --until ISO');
    if (endsAt <= startsAt) throw new UsageError('the silence must end after it starts');
    if (endsAt.getTime() - startsAt.getTime() > 90 * 86_400_000) throw new UsageError('a silence lasts at most 90 days; plan longer maintenance in the configuration');
    return withDatabase(context, async ({ db }) => {
      const id = await createSilence(db, { matcher, startsAt, endsAt, reason, createdBy: by });
      if (values.json) context.out(JSON.stringify({ id, matcher, startsAt, endsAt, reason, createdBy: by }));
      else context.out(`silence ${id}: ${describe(matcher)} from ${formatBeijing(startsAt)} to ${formatBeijing(endsAt)} (Beijing time)`);
      return 0;
    });
  },
};

export const alertsSilencesCommand: Command = {
  path: ['alerts', 'silences'],
  summary: 'silences in force or scheduled (--all: also ended ones)',
  usage: 'envmon alerts silences [--all] [--json]',
  options: { all: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  run: async ({ values }, context) =>
    withDatabase(context, async ({ db }) => {
      const now = new Date();
      const silences = await listSilences(db, now, values.all === true);
      if (values.json) context.out(JSON.stringify(silences, null, 2));
      else {
        if (silences.length === 0) context.out('no silences');
        for (const s of silences) context.out(`${String(s.id).padStart(5)}  ${describe(s.matcher)}  ${formatBeijing(s.startsAt)} → ${formatBeijing(s.endsAt)}${s.endsAt <= now ? ' (ended)' : ''}  ${s.reason} — ${s.createdBy ?? ''}`);
      }
      return 0;
    }),
};

export const alertsUnsilenceCommand: Command = {
  path: ['alerts', 'unsilence'],
  summary: 'end a silence now',
  usage: 'envmon alerts unsilence ID',
  options: {},
  run: async ({ positionals }, context) =>
    withDatabase(context, async ({ db }) => {
      const id = Number(positionals[0]);
      if (!Number.isInteger(id) || !(await endSilence(db, id, new Date()))) throw new UsageError(`no running silence ${positionals[0] ?? ''}`);
      context.out(`silence ${id} ended`);
      return 0;
    }),
};

function describe(matcher: object): string {
  return Object.entries(matcher).map(([k, v]) => `${k}=${String(v)}`).join(' ');
}
