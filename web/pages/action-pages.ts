/** 告警 (with acknowledge and silence) and 运维 (sources, quarantine, deliveries, queues). */
import type { FastifyInstance } from 'fastify';
import type { ConsoleGuards } from '../console-user.ts';
import type { WebDeps } from '../web-deps.ts';

export async function registerActionPages(_app: FastifyInstance, _deps: WebDeps, _guards: ConsoleGuards): Promise<void> {
  // Filled in by the alert and operations pages.
}
