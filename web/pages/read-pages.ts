/** 总览 / 站点 / 目标 / 报告, and the static assets they use. */
import type { FastifyInstance } from 'fastify';
import type { ConsoleGuards } from '../console-user.ts';
import type { WebDeps } from '../web-deps.ts';

export async function registerReadPages(_app: FastifyInstance, _deps: WebDeps, _guards: ConsoleGuards): Promise<void> {
  // Filled in by the read-only pages.
}
