/** Every page of the console, registered on the server by one call. */
import type { FastifyInstance } from 'fastify';
import type { ConsoleGuards } from './console-user.ts';
import type { WebDeps } from './web-deps.ts';
import { registerReadPages } from './pages/read-pages.ts';
import { registerActionPages } from './pages/action-pages.ts';

export async function registerConsolePages(app: FastifyInstance, deps: WebDeps, guards: ConsoleGuards): Promise<void> {
  await registerReadPages(app, deps, guards);
  await registerActionPages(app, deps, guards);
}
