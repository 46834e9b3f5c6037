/**
 * GET /alerts, GET /alerts/:id, and the operator's POST /alerts/:id/ack and POST /alerts/:id/silence. Each POST
 * changes the alert (or creates the silence) and writes the audit trail in one transaction, then sends the browser
 * back to the alert (303) with `?done=…` or `?error=…`.
 */
import type { FastifyInstance } from 'fastify';
import { parseDuration } from '../../cli/commands/silences.ts';
import { acknowledgeAlertAudited, silenceAlertAudited, silenceMatcherOf } from '../../db/repositories/alert-actions.repository.ts';
import { isEnabled, listSources } from '../../db/repositories/sources.repository.ts';
import { consoleAlert, consoleAlertList } from '../../queries/alert-list-query.ts';
import type { ConsoleGuards } from '../console-user.ts';
import type { WebDeps } from '../web-deps.ts';
import { renderAlertPage, NOTE_MAX, REASON_MAX, SILENCE_PERIODS } from './alert-page.ts';
import { renderAlertsPage } from './alerts-page.ts';
import { actorOf, field, flashText, pathId, sendNotFound, sendPage } from './page-parts.ts';

const done = { ack: 'alert.done.ack', silence: 'alert.done.silence' } as const;
const errors = { note: 'alert.error.note', reason: 'alert.error.reason', period: 'alert.error.period', resolved: 'alert.error.resolved' } as const;

export async function registerAlertRoutes(app: FastifyInstance, deps: WebDeps, guards: ConsoleGuards): Promise<void> {
  app.get('/alerts', { preHandler: guards.read }, async (request, reply) => {
    const list = await consoleAlertList(deps.db, deps.config.maintenance, deps.now());
    const failing = (await listSources(deps.db)).filter((s) => isEnabled(s) && s.consecutive_failures > 0).map((s) => s.id);
    return sendPage(reply, renderAlertsPage(request, list, failing));
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/alerts/:id', { preHandler: guards.read }, async (request, reply) => {
    const id = pathId(request.params.id);
    const view = id === null ? undefined : await consoleAlert(deps.db, id, deps.config.maintenance, deps.now());
    const subject = id === null ? undefined : await silenceMatcherOf(deps.db, id);
    if (!view || !subject) return sendNotFound(request, reply);
    const message = { done: flashText(request.lang, request.query.done, done), error: flashText(request.lang, request.query.error, errors) };
    return sendPage(reply, renderAlertPage(request, view, subject.matcher, message));
  });

  app.post<{ Params: { id: string } }>('/alerts/:id/ack', { preHandler: guards.operatorAction }, async (request, reply) => {
    const id = pathId(request.params.id);
    if (id === null) return sendNotFound(request, reply);
    const note = field(request.body, 'note');
    if (note === '' || note.length > NOTE_MAX) return reply.redirect(`/alerts/${id}?error=note`, 303);
    const outcome = await acknowledgeAlertAudited(deps.db, id, note, actorOf(request));
    if (outcome === 'missing') return sendNotFound(request, reply);
    return reply.redirect(`/alerts/${id}?${outcome === 'done' ? 'done=ack' : 'error=resolved'}`, 303);
  });

  app.post<{ Params: { id: string } }>('/alerts/:id/silence', { preHandler: guards.operatorAction }, async (request, reply) => {
    const id = pathId(request.params.id);
    if (id === null) return sendNotFound(request, reply);
    const reason = field(request.body, 'reason');
    const period = field(request.body, 'period');
    // Only the offered periods: a silence is bounded (at most 90 days, as `envmon alerts silence` allows).
    const ms = (SILENCE_PERIODS as readonly string[]).includes(period) ? parseDuration(period) : null;
    if (ms === null) return reply.redirect(`/alerts/${id}?error=period`, 303);
    if (reason === '' || reason.length > REASON_MAX) return reply.redirect(`/alerts/${id}?error=reason`, 303);
    const startsAt = deps.now();
    const outcome = await silenceAlertAudited(deps.db, id, { startsAt, endsAt: new Date(startsAt.getTime() + ms) }, reason, actorOf(request));
    if (outcome === 'missing') return sendNotFound(request, reply);
    return reply.redirect(`/alerts/${id}?done=silence`, 303);
  });
}
