/** 运维: what needs an operator now (failing sources, pending quarantine, failed deliveries) and the way to each. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { failedDeliveryCount } from '../../db/repositories/deliveries.repository.ts';
import { pendingQuarantineCount } from '../../db/repositories/quarantine-review.repository.ts';
import { failingSourceCount } from '../../db/repositories/sources.repository.ts';
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
  const [failingSources, pendingQuarantine, failedDeliveries] = await Promise.all([failingSourceCount(db), pendingQuarantineCount(db), failedDeliveryCount(db)]);
  return { failingSources, pendingQuarantine, failedDeliveries };
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
