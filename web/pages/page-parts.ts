/** Small pieces the alert and operations pages share: times, flashes, forms, form fields, the 404 page. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatBeijing } from '../../lib/time.ts';
import { html, type SafeHtml } from '../html.ts';
import { isMessageKey, t, type MessageKey } from '../i18n.ts';
import { refuse } from '../refusal.ts';

/** A message with `{name}` placeholders filled in (the values are escaped where the text is rendered). */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** Beijing wall-clock time in a <time> element carrying the exact instant; `never` for null. */
/**
 * A stored code (a rejection code, a source kind) by its name in the page's language, with the code itself below:
 * the code is what filters, the CLI and the logs use. A code without a name is shown as it is.
 */
export function namedCode(lang: 'zh' | 'en', prefix: string, code: string): SafeHtml {
  const key = `${prefix}.${code}`;
  return isMessageKey(key) ? html`${t(lang, key)}<br><code class="muted">${code}</code>` : html`<code>${code}</code>`;
}

/** A stored code by its name in the page's language alone (statuses, kinds), or the code where it has none. */
export function namedText(lang: 'zh' | 'en', prefix: string, code: string): string {
  const key = `${prefix}.${code}`;
  return isMessageKey(key) ? t(lang, key) : code;
}

export function when(lang: 'zh' | 'en', instant: Date | null): SafeHtml {
  return instant ? html`<time datetime="${instant.toISOString()}">${formatBeijing(instant)}</time>` : html`<span class="muted">${t(lang, 'common.never')}</span>`;
}

/** The hidden CSRF field every form carries. */
export function csrfField(request: FastifyRequest): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">`;
}

/** Whether the request's user may act (the action guard still checks every POST). */
export function canAct(request: FastifyRequest): boolean {
  return request.consoleUser?.role === 'operator';
}

/** A confirmation (`role=status`) or an error (`role=alert`) shown at the top of a page after a redirect. */
export function flash(kind: 'done' | 'error', text: string | null): SafeHtml {
  if (!text) return html``;
  return kind === 'done' ? html`<p class="flash done" role="status">${text}</p>` : html`<p class="flash error" role="alert">${text}</p>`;
}

/** The text of a flash query parameter that names one of `keys`, else null (nothing from the URL is shown raw). */
export function flashText(lang: 'zh' | 'en', value: unknown, keys: Record<string, MessageKey>, values: Record<string, string | number> = {}): string | null {
  if (typeof value !== 'string' || !Object.hasOwn(keys, value)) return null;
  return fill(t(lang, keys[value] as MessageKey), values);
}

/** The console's own 404 page (web/refusal.ts). */
export async function sendNotFound(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  await refuse(request, reply, 404, 'error.notFound');
  return reply;
}

export function sendPage(reply: FastifyReply, page: string): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(page);
}

/** A form or query field as one trimmed string (the first, when repeated); '' when absent. */
export function field(source: unknown, name: string): string {
  const v = typeof source === 'object' && source !== null ? (source as Record<string, unknown>)[name] : undefined;
  const first = Array.isArray(v) ? (v as unknown[])[0] : v;
  return typeof first === 'string' ? first.trim() : '';
}

/** Positive whole numbers of a repeated field (`id=1&id=2`); null when any is not one or there are more than `max`. */
export function idList(source: unknown, name: string, max: number): number[] | null {
  const v = typeof source === 'object' && source !== null ? (source as Record<string, unknown>)[name] : undefined;
  const list = (Array.isArray(v) ? (v as unknown[]) : v === undefined ? [] : [v]).map((x) => (typeof x === 'string' && /^\d{1,15}$/.test(x) ? Number(x) : NaN));
  if (list.length === 0 || list.length > max || list.some((n) => !Number.isSafeInteger(n) || n <= 0)) return null;
  return [...new Set(list)];
}

/** A path id: a positive whole number, else null (a 404). */
export function pathId(value: unknown): number | null {
  return typeof value === 'string' && /^\d{1,15}$/.test(value) && Number(value) > 0 && Number.isSafeInteger(Number(value)) ? Number(value) : null;
}

/** The audit trail's view of who acts: the signed-in user and the client's address. */
export function actorOf(request: FastifyRequest): { user: { id: number; name: string }; remote: string } {
  const user = request.consoleUser;
  // The action guard has let only a signed-in operator through; anything else here is a wiring fault.
  if (!user) throw new Error('an action without a signed-in user');
  return { user: { id: user.id, name: user.name }, remote: request.ip };
}
