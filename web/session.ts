/**
 * Sessions of the console: reads the `envmon_session` cookie on every request and decorates it with the signed-in
 * user, the session's CSRF token and the page language; refuses every POST without a valid CSRF token (the login form
 * has a token of its own, in a cookie, before any session exists).
 *
 * The cookie is HttpOnly, SameSite=Lax (a link opened from a mail arrives signed in; Lax still withholds the cookie
 * from cross-site POSTs), Path=/, Secure when the request came over https, and lasts `console.sessionHours` from the
 * last request (sliding).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findSession, touchSession } from '../db/repositories/console-sessions.repository.ts';
import { csrfProblem, crossSite, presentedCsrfToken, sameSecret } from './csrf.ts';
import { refuse } from './refusal.ts';
import type { WebDeps } from './web-deps.ts';

export const SESSION_COOKIE = 'envmon_session';
/** The login form's own CSRF token (double submit: cookie and form field), set by GET /login. */
export const LOGIN_CSRF_COOKIE = 'envmon_login';
export const LANG_COOKIE = 'lang';

/** How often a session's sliding end is written: once a minute is precise enough, and spares a write per request. */
const TOUCH_RESOLUTION_MS = 60_000;

declare module 'fastify' {
  interface FastifyRequest {
    /** The session behind `consoleUser`: its cookie value and whether its password must be changed first. */
    consoleSession: { readonly token: string; readonly mustChangePassword: boolean } | null;
  }
}

/** Paths that never look at a session: probes, scrapers, the token-protected API and static files. */
function sessionless(url: string): boolean {
  return url === '/healthz' || url.startsWith('/metrics') || url === '/api' || url.startsWith('/api/') || url.startsWith('/api?') || url.startsWith('/assets/');
}

export function sessionCookieOptions(request: FastifyRequest, maxAgeSeconds?: number) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: request.protocol === 'https', ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }) };
}

export function installSessions(app: FastifyInstance, deps: WebDeps): void {
  const hours = deps.config.console.sessionHours;
  app.decorateRequest('consoleUser', null);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('lang', 'zh');
  app.decorateRequest('consoleSession', null);

  app.addHook('onRequest', async (request, reply) => {
    request.lang = pageLanguage(request, reply);
    if (sessionless(request.url)) return;
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return;
    const now = deps.now();
    const session = await findSession(deps.db, token, now);
    if (!session) {
      // Expired, signed out elsewhere, or the user was disabled: the browser forgets it.
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return;
    }
    request.consoleUser = { id: session.id, name: session.name, role: session.role };
    request.csrfToken = session.csrfToken;
    request.consoleSession = { token, mustChangePassword: session.mustChangePassword };
    if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_RESOLUTION_MS) {
      await touchSession(deps.db, token, hours, now);
      void reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(request, hours * 3600));
    }
  });

  // Every state change, guarded or not, needs the token: a page that forgets its guard still cannot be forged.
  app.addHook('preHandler', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || sessionless(request.url)) return;
    if (request.url === '/login' || request.url.startsWith('/login?')) {
      const cookie = request.cookies[LOGIN_CSRF_COOKIE];
      const given = presentedCsrfToken(request);
      if (crossSite(request) || !cookie || given === null || !sameSecret(cookie, given)) await refuse(request, reply, 403, 'error.forbidden.csrf');
      return;
    }
    if (csrfProblem(request, request.csrfToken) !== null) await refuse(request, reply, 403, 'error.forbidden.csrf');
  });
}

/** `lang=zh|en` in the query sets the language (and remembers it in a cookie); else the cookie; else Chinese. */
function pageLanguage(request: FastifyRequest, reply: FastifyReply): 'zh' | 'en' {
  const at = request.url.indexOf('?');
  const asked = at < 0 ? null : new URLSearchParams(request.url.slice(at + 1)).get('lang');
  if (asked === 'zh' || asked === 'en') {
    void reply.setCookie(LANG_COOKIE, asked, { path: '/', sameSite: 'lax', maxAge: 365 * 86_400, secure: request.protocol === 'https' });
    return asked;
  }
  const cookie = request.cookies[LANG_COOKIE];
  return cookie === 'en' ? 'en' : 'zh';
}
