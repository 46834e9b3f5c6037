/** 告警 (with acknowledge and silence) and 运维 (sources, quarantine, deliveries, audit trail, queues). */
import type { FastifyInstance } from 'fastify';
import type { ConsoleGuards } from '../console-user.ts';
import type { WebDeps } from '../web-deps.ts';
import { registerAlertRoutes } from './alert-routes.ts';
import { registerAuditRoutes } from './operations-audit.ts';
import { registerDeliveryRoutes } from './operations-deliveries.ts';
import { registerOperationsIndex } from './operations-index.ts';
import { registerQuarantineRoutes } from './operations-quarantine.ts';
import { registerQueueRoutes } from './operations-queues.ts';
import { registerSourceRoutes } from './operations-sources.ts';

export async function registerActionPages(app: FastifyInstance, deps: WebDeps, guards: ConsoleGuards): Promise<void> {
  await registerAlertRoutes(app, deps, guards);
  await registerOperationsIndex(app, deps, guards);
  await registerSourceRoutes(app, deps, guards);
  await registerQuarantineRoutes(app, deps, guards);
  await registerDeliveryRoutes(app, deps, guards);
  await registerAuditRoutes(app, deps, guards);
  await registerQueueRoutes(app, deps, guards);
}
