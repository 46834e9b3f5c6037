/**
 * Cross-site request forgery: every POST carries the session's synchronizer token (form field `_csrf` or header
 * `x-csrf-token`), compared in constant time, and a POST whose Origin (or, without one, Referer) names another site
 * is refused whatever it carries.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** The token a request presents: the `x-csrf-token` header, else the form field `_csrf`. */
export function presentedCsrfToken(request: FastifyRequest): string | null {
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  const body = request.body;
  if (body !== null && typeof body === 'object' && '_csrf' in body) {
    const field = (body as { _csrf?: unknown })._csrf;
    if (typeof field === 'string') return field;
  }
  return null;
}

/** Constant-time equality of two secrets of any length (their SHA-256 are compared). */
export function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b)) && a.length === b.length;
}

/** Whether the browser says the request comes from another site (Origin, else Referer); absent headers say nothing. */
export function crossSite(request: FastifyRequest): boolean {
  const own = `${request.protocol}://${request.host}`.toLowerCase();
  const origin = request.headers.origin;
  if (typeof origin === 'string') return origin.toLowerCase() !== own;
  const referer = request.headers.referer;
  if (typeof referer === 'string') {
    try {
      return new URL(referer).origin.toLowerCase() !== own;
    } catch {
      return true;
    }
  }
  return false;
}

/** Why a state-changing request is refused, or null when its token matches the session's and it is same-site. */
export function csrfProblem(request: FastifyRequest, expected: string | null): 'cross-site' | 'token' | null {
  if (crossSite(request)) return 'cross-site';
  const given = presentedCsrfToken(request);
  if (expected === null || given === null || !sameSecret(given, expected)) return 'token';
  return null;
}
