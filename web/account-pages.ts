/**
 * Signing in and out, and choosing one's password:
 *   GET/POST /login             sign-in form; refused for a while after repeated failures (see LOGIN_LIMITS)
 *   POST /logout                ends the session (CSRF-protected like every POST)
 *   GET/POST /account/password  a user holding a one-time password must choose their own before anything else
 * Every sign-in, failed or not, is written to the audit trail.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordAudit } from '../db/repositories/audit.repository.ts';
import { createSession, deleteSession, hashSessionToken } from '../db/repositories/console-sessions.repository.ts';
import { findConsoleUser, setConsolePassword } from '../db/repositories/console-users.repository.ts';
import { loginRefused } from '../db/repositories/login-attempts.repository.ts';
import { hashPassword, passwordProblem, UNMATCHABLE_HASH, verifyPassword } from '../lib/password-hash.ts';
import { safeNext } from './guards.ts';
import { html } from './html.ts';
import { t, type MessageKey } from './i18n.ts';
import { renderPage } from './layout.ts';
import { LOGIN_CSRF_COOKIE, SESSION_COOKIE, sessionCookieOptions } from './session.ts';
import type { WebDeps } from './web-deps.ts';

const field = { type: 'string', maxLength: 1000 } as const;
const loginBody = { type: 'object', properties: { name: { type: 'string', maxLength: 200 }, password: field, next: field, _csrf: field }, required: ['name', 'password'] } as const;
const passwordBody = { type: 'object', properties: { current: field, password: field, confirm: field, next: field, _csrf: field }, required: ['current', 'password', 'confirm'] } as const;

interface LoginBody {
  name: string;
  password: string;
  next?: string;
}
interface PasswordBody {
  current: string;
  password: string;
  confirm: string;
  next?: string;
}

function html200(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
}

function loginPage(request: FastifyRequest, csrf: string, next: string | null, error: MessageKey | null, name = ''): string {
  const lang = request.lang;
  return renderPage(request, {
    title: t(lang, 'login.title'),
    body: html`${error ? html`<p class="error" role="alert">${t(lang, error)}</p>` : ''}
<form method="post" action="/login" class="login">
  <input type="hidden" name="_csrf" value="${csrf}">
  ${next ? html`<input type="hidden" name="next" value="${next}">` : ''}
  <label>${t(lang, 'login.name')} <input name="name" autocomplete="username" required maxlength="64" value="${name}" autofocus></label>
  <label>${t(lang, 'login.password')} <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">${t(lang, 'login.submit')}</button>
</form>`,
  });
}

function passwordPage(request: FastifyRequest, next: string | null, error: MessageKey | null, mustChange: boolean): string {
  const lang = request.lang;
  return renderPage(request, {
    title: t(lang, 'password.title'),
    body: html`${mustChange ? html`<p class="notice">${t(lang, 'password.mustChange')}</p>` : ''}
${error ? html`<p class="error" role="alert">${t(lang, error)}</p>` : ''}
<form method="post" action="/account/password" class="password">
  <input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">
  ${next ? html`<input type="hidden" name="next" value="${next}">` : ''}
  <input type="text" name="username" autocomplete="username" value="${request.consoleUser?.name ?? ''}" hidden>
  <label>${t(lang, 'password.current')} <input name="current" type="password" autocomplete="current-password" required></label>
  <label>${t(lang, 'password.new')} <input name="password" type="password" autocomplete="new-password" required minlength="10"></label>
  <label>${t(lang, 'password.confirm')} <input name="confirm" type="password" autocomplete="new-password" required minlength="10"></label>
  <p class="hint">${t(lang, 'password.rules')}</p>
  <button type="submit">${t(lang, 'password.submit')}</button>
</form>`,
  });
}

export async function registerAccountPages(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const { db, now } = deps;
  const hours = deps.config.console.sessionHours;

  /** A fresh login-form token, in its cookie (double submit: no session exists yet to hold one). */
  const loginToken = (request: FastifyRequest, reply: FastifyReply): string => {
    const token = randomBytes(24).toString('base64url');
    void reply.setCookie(LOGIN_CSRF_COOKIE, token, { path: '/login', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
    return token;
  };
  const nextOf = (request: FastifyRequest): string | null => safeNext((request.query as { next?: unknown }).next);

  app.get('/login', async (request, reply) => {
    const next = nextOf(request);
    if (request.consoleUser) return reply.redirect(next ?? '/', 302);
    return html200(reply, 200, loginPage(request, loginToken(request, reply), next, null));
  });

  app.post('/login', { schema: { body: loginBody } }, async (request, reply) => {
    const body = request.body as LoginBody;
    const name = body.name.trim();
    const next = safeNext(body.next);
    const at = now();
    const remote = request.ip;
    // Refused before the password is looked at, with the same words whether the user exists or not.
    if (await loginRefused(db, name, remote, at)) {
      await recordAudit(db, { user: null, userName: name, action: 'login.refused', remote, at });
      return html200(reply, 429, loginPage(request, loginToken(request, reply), next, 'login.tooMany', name));
    }
    const user = await findConsoleUser(db, name);
    // An unknown name costs the same scrypt as a known one: the answer's timing does not tell them apart.
    const matches = await verifyPassword(body.password, user?.passwordHash ?? UNMATCHABLE_HASH);
    if (!user || !matches || user.disabledAt !== null) {
      await recordAudit(db, { user: user ? { id: user.id, name: user.name } : null, userName: name, action: 'login.failed', remote, at, detail: user?.disabledAt ? { reason: 'disabled' } : {} });
      return html200(reply, 401, loginPage(request, loginToken(request, reply), next, 'login.failed', name));
    }
    const session = await createSession(db, user.id, hours, at);
    await recordAudit(db, { user: { id: user.id, name: user.name }, action: 'login', remote, at });
    void reply.setCookie(SESSION_COOKIE, session.token, sessionCookieOptions(request, hours * 3600));
    void reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/login' });
    if (user.mustChangePassword) return reply.redirect(next ? `/account/password?next=${encodeURIComponent(next)}` : '/account/password', 303);
    return reply.redirect(next ?? '/', 303);
  });

  app.post('/logout', async (request, reply) => {
    const session = request.consoleSession;
    if (session && request.consoleUser) {
      await deleteSession(db, session.token);
      await recordAudit(db, { user: request.consoleUser, action: 'logout', remote: request.ip, at: now() });
    }
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });

  app.get('/account/password', async (request, reply) => {
    if (!request.consoleUser) return reply.redirect('/login?next=%2Faccount%2Fpassword', 302);
    return html200(reply, 200, passwordPage(request, nextOf(request), null, request.consoleSession?.mustChangePassword ?? false));
  });

  app.post('/account/password', { schema: { body: passwordBody } }, async (request, reply) => {
    const user = request.consoleUser;
    const session = request.consoleSession;
    if (!user || !session) return reply.redirect('/login?next=%2Faccount%2Fpassword', 303);
    const body = request.body as PasswordBody;
    const next = safeNext(body.next);
    const again = (status: number, error: MessageKey) => html200(reply, status, passwordPage(request, next, error, session.mustChangePassword));
    const row = await findConsoleUser(db, user.name);
    if (!row || !(await verifyPassword(body.current, row.passwordHash))) return again(400, 'password.wrongCurrent');
    if (body.password !== body.confirm) return again(400, 'password.mismatch');
    if (body.password === body.current) return again(400, 'password.same');
    if (passwordProblem(body.password, user.name) !== null) return again(400, 'password.weak');
    const at = now();
    const hash = await hashPassword(body.password);
    await db.transaction().execute(async (tx) => {
      await setConsolePassword(tx, user.id, hash, { oneTime: false, keepSession: hashSessionToken(session.token) }, at);
      await recordAudit(tx, { user, action: 'user.password', target: `user:${user.name}`, remote: request.ip, at });
    });
    return reply.redirect(next ?? '/', 303);
  });
}
