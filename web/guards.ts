/** The guards routes put in front of their handlers (as `preHandler`, so that the form's `_csrf` field is read). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleGuards, Guard } from './console-user.ts';
import { csrfProblem } from './csrf.ts';
import { refuse } from './refusal.ts';
import type { WebDeps } from './web-deps.ts';

/** A `next` target: only a path of this site (not `//host`, not `/\host`, no scheme). */
export function safeNext(next: unknown): string | null {
  if (typeof next !== 'string' || next.length > 1000) return null;
  return /^\/(?![/\\])[^\s]*$/.test(next) ? next : null;
}

async function toLogin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(request, reply, 403, 'error.forbidden.csrf');
  const next = safeNext(request.url);
  await reply.redirect(next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login', 302);
}

/** A user holding a one-time password does nothing before choosing their own. */
async function toPasswordChange(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const next = safeNext(request.url);
  await reply.redirect(next && next !== '/' ? `/account/password?next=${encodeURIComponent(next)}` : '/account/password', 302);
}

export function createGuards(deps: WebDeps): ConsoleGuards {
  const read: Guard = async (request, reply) => {
    if (request.consoleUser) {
      if (request.consoleSession?.mustChangePassword) await toPasswordChange(request, reply);
      return;
    }
    if (!deps.config.console.anonymousRead) await toLogin(request, reply);
  };
  const operatorRead: Guard = async (request, reply) => {
    if (!request.consoleUser) return toLogin(request, reply);
    if (request.consoleSession?.mustChangePassword) return toPasswordChange(request, reply);
    if (request.consoleUser.role !== 'operator') await refuse(request, reply, 403, 'error.forbidden.role');
  };
  const operatorAction: Guard = async (request, reply) => {
    // Never anonymous: without a session there is no token to present either.
    if (!request.consoleUser || csrfProblem(request, request.csrfToken) !== null) return refuse(request, reply, 403, 'error.forbidden.csrf');
    if (request.consoleSession?.mustChangePassword || request.consoleUser.role !== 'operator') await refuse(request, reply, 403, 'error.forbidden.role');
  };
  return { read, operatorRead, operatorAction };
}
