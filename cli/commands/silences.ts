import { createSilence, endSilence, listSilences } from '../../db/repositories/silences.repository.ts';
import { formatBeijing } from '../../lib/time.ts';
import { UsageError, type Command } from '../command.ts';
import { TIME_NOTE, timeFlag } from '../time-flag.ts';
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
    site: { type: 'string', value: 'CODE', description: 'alerts of this site' },
    parameter: { type: 'string', value: 'P', description: 'alerts of this parameter, e.g. nh3_n' },
    rule: { type: 'string', value: 'ID', description: 'alerts of this rule' },
    source: { type: 'string', value: 'ID', description: 'alerts about this source (no_data rules)' },
    for: { type: 'string', value: 'DURATION', description: 'how long, e.g. 90m, 2h or 3d' },
    until: { type: 'string', value: 'TIME', description: 'when the silence ends (instead of --for)' },
    from: { type: 'string', value: 'TIME', description: 'when the silence starts (default now)' },
    reason: { type: 'string', value: 'TEXT', description: 'why, shown with every held-back notification (required)' },
    by: { type: 'string', value: 'NAME', description: 'who silences (required)' },
    json: { type: 'boolean', default: false, description: 'print the silence as JSON' },
  },
  examples: ['envmon alerts silence --site JC-SW-WULIANG --for 4h --reason "断面采水泵检修" --by 王工', 'envmon alerts silence --rule air-pm10-spike --from 2026-12-02T08:00 --until 2026-12-02T18:00 --reason 施工扬尘 --by 李工'],
  notes: `The silence matches alerts that fit every one of --site, --parameter, --rule and --source given.\n${TIME_NOTE}`,
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
    const startsAt = timeFlag('from', str('from')) ?? new Date();
    let endsAt: Date;
    if (str('for') && str('until')) throw new UsageError('give --for or --until, not both');
    if (str('for')) {
      const ms = parseDuration(str('for') as string);
      if (ms === null || ms <= 0) throw new UsageError('--for must be a duration such as 90m, 2h or 3d');
      endsAt = new Date(startsAt.getTime() + ms);
    } else if (str('until')) {
      endsAt = timeFlag('until', str('until')) ?? startsAt;
    } else throw new UsageError('give --for DURATION or --until TIME');
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
  options: {
    all: { type: 'boolean', default: false, description: 'ended silences too' },
    json: { type: 'boolean', default: false, description: 'print the silences as JSON' },
  },
  examples: ['envmon alerts silences', 'envmon alerts silences --all --json'],
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
  examples: ['envmon alerts unsilence 3'],
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
