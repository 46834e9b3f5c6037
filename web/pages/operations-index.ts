/** 运维: what needs an operator now (failing sources, pending quarantine, failed deliveries) and the way to each. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { ConsoleGuards } from '../console-user.ts';
import { html } from '../html.ts';
import { t } from '../i18n.ts';
import type { WebDeps } from '../web-deps.ts';
import { renderOperationsPage } from './operations-nav.ts';
import { sendPage } from './page-parts.ts';

export interface OperationsSummary {
  failingSources: number;
  pendingQuarantine: number;
  failedDeliveries: number;
}

export async function operationsSummary(db: Kysely<Database>): Promise<OperationsSummary> {
  const count = (n: { n: string | number | bigint }) => Number(n.n);
  const [sources, quarantine, deliveries] = await Promise.all([
    db.selectFrom('source').select((eb) => eb.fn.countAll<string>().as('n')).where('consecutive_failures', '>', 0).executeTakeFirstOrThrow(),
    db.selectFrom('quarantine').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow(),
    db.selectFrom('notification_delivery').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'failed').executeTakeFirstOrThrow(),
  ]);
  return { failingSources: count(sources), pendingQuarantine: count(quarantine), failedDeliveries: count(deliveries) };
}

export function renderOperationsIndex(request: FastifyRequest, summary: OperationsSummary): string {
  const lang = request.lang;
  const item = (href: string, label: string, n: number) => html`<li><a href="${href}">${label}</a>: <strong class="${n > 0 ? 'attention' : ''}">${n}</strong></li>`;
  const body = html`<ul class="summary">
${item('/operations/sources', t(lang, 'ops.summary.failingSources'), summary.failingSources)}
${item('/operations/quarantine', t(lang, 'ops.summary.pendingQuarantine'), summary.pendingQuarantine)}
${item('/operations/deliveries?status=failed', t(lang, 'ops.summary.failedDeliveries'), summary.failedDeliveries)}
</ul>`;
  return renderOperationsPage(request, null, body);
}

export async function registerOperationsIndex(app: FastifyInstance, deps: WebDeps, guards: ConsoleGuards): Promise<void> {
  app.get('/operations', { preHandler: guards.operatorRead }, async (request, reply) => sendPage(reply, renderOperationsIndex(request, await operationsSummary(deps.db))));
}
