/**
 * Who is asking: the signed-in console user (or an anonymous viewer, when the configuration opens the read-only
 * pages), and the guards that routes put in front of their handlers.
 *   viewer    reads every page except Operations
 *   operator  also acts: acknowledge, silence, replay, discard, enable/disable, retry; sees Operations
 * Anonymous visitors never act, whatever the configuration says.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../db/repositories/console-users.repository.ts';


export interface ConsoleUser {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, or null (anonymous). Set by the session plugin before any route handler runs. */
    consoleUser: ConsoleUser | null;
    /** The session's CSRF token (null without a session): every form carries it as `_csrf`, scripts as `x-csrf-token`. */
    csrfToken: string | null;
    /** The page language: `lang` query parameter, then the `lang` cookie, then Chinese. */
    lang: 'zh' | 'en';
  }
}

export type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface ConsoleGuards {
  /** Read-only pages: a signed-in user, or anyone when anonymous reading is configured; else a redirect to /login?next=… */
  readonly read: Guard;
  /** Operations pages (reads that show raw input and internals): an operator; 403 for a viewer. */
  readonly operatorRead: Guard;
  /**
   * Every state change (POST): an operator and a valid CSRF token (form field `_csrf` or header `x-csrf-token`);
   * 403 otherwise, 401/redirect without a session.
   */
  readonly operatorAction: Guard;
}
