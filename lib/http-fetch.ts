/**
 * HTTP GET (and POST, for webhooks) with every bound a feed needs: http/https only, a deadline for the whole exchange, a read timeout
 * between chunks (a server that stalls mid-body), and a maximum body size checked while reading. Error messages
 * name the URL without its query string or credentials, which may carry tokens.
 *
 * Redirects are followed here, not by fetch, at most MAX_REDIRECTS of them: the caller's headers (a source's
 * credential: Authorization, X-API-Key, Cookie…) go only to the origin of the URL they were given for, never
 * across a redirect to another scheme, host or port, and https is never followed down to http.
 */
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export interface BoundedFetchOptions {
  /** Whole request, connect included, ms. */
  timeoutMs: number;
  /** Longest wait for the next chunk of the body, ms. */
  readTimeoutMs: number;
  maxBytes: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** A POST body (webhooks); a POST never follows redirects. */
  body?: string;
}

/** Redirects followed before a request fails. */
export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export class HttpFetchError extends Error {
  override name = 'HttpFetchError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export async function fetchBounded(url: string, options: BoundedFetchOptions): Promise<{ status: number; body: Buffer; contentType: string }> {
  const target = parseHttpUrl(url);
  const shown = safeUrl(target);
  const controller = new AbortController();
  const abort = (reason: string) => controller.abort(new HttpFetchError(`${shown}: ${reason}`));
  const deadline = setTimeout(() => abort(`no complete response within ${options.timeoutMs} ms`), options.timeoutMs);
  const onOuterAbort = () => abort('cancelled');
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let readTimer: NodeJS.Timeout | undefined;
  try {
    let current = target;
    let headers = options.headers ?? {};
    let response: Response;
    for (let hop = 0; ; hop++) {
      response = await fetch(current, {
        method: options.body === undefined ? 'GET' : 'POST',
        headers,
        ...(options.body === undefined ? {} : { body: options.body }),
        signal: controller.signal,
        redirect: 'manual',
      });
      if (!REDIRECT_STATUSES.has(response.status)) break;
      await response.body?.cancel().catch(() => undefined);
      if (options.body !== undefined) throw new HttpFetchError(`${shown}: HTTP ${response.status}: a POST is not redirected`, response.status);
      if (hop >= MAX_REDIRECTS) throw new HttpFetchError(`${shown}: more than ${MAX_REDIRECTS} redirects`, response.status);
      const location = response.headers.get('location');
      if (!location) throw new HttpFetchError(`${shown}: HTTP ${response.status} without a Location`, response.status);
      ({ url: current, headers } = redirectTarget(current, location, headers));
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > options.maxBytes) throw new HttpFetchError(`${shown}: response of ${declared} bytes exceeds the limit of ${options.maxBytes}`, response.status);
    const chunks: Buffer[] = [];
    let size = 0;
    if (response.body) {
      const reader = (response.body as unknown as WebReadableStream<Uint8Array>).getReader();
      for (;;) {
        readTimer = setTimeout(() => abort(`no data for ${options.readTimeoutMs} ms`), options.readTimeoutMs);
        const { done, value } = await reader.read();
        clearTimeout(readTimer);
        if (done) break;
        size += value.byteLength;
        if (size > options.maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw new HttpFetchError(`${shown}: response exceeds the limit of ${options.maxBytes} bytes`, response.status);
        }
        chunks.push(Buffer.from(value));
      }
    }
    const body = Buffer.concat(chunks);
    if (!response.ok) throw new HttpFetchError(`${shown}: HTTP ${response.status}`, response.status);
    return { status: response.status, body, contentType: response.headers.get('content-type') ?? '' };
  } catch (error) {
    if (error instanceof HttpFetchError) throw error;
    const reason = controller.signal.reason as unknown;
    if (reason instanceof HttpFetchError) throw reason;
    // fetch's own errors may quote the full URL; only the cause's code is kept.
    const code = (error as { cause?: { code?: string } }).cause?.code;
    throw new HttpFetchError(`${shown}: request failed${code ? ` (${code})` : ''}`);
  } finally {
    clearTimeout(deadline);
    clearTimeout(readTimer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * Where a redirect leads and which headers go with it: the caller's headers only while the origin stays the same
 * (they hold the source's credential); never from https to http or to a scheme other than http/https.
 */
export function redirectTarget(from: URL, location: string, headers: Record<string, string>): { url: URL; headers: Record<string, string> } {
  let url: URL;
  try {
    url = new URL(location, from);
  } catch {
    throw new HttpFetchError(`${safeUrl(from)}: redirected to an invalid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HttpFetchError(`${safeUrl(from)}: redirected away from http/https`);
  if (from.protocol === 'https:' && url.protocol === 'http:') throw new HttpFetchError(`${safeUrl(from)}: redirected from https to http`);
  return { url, headers: url.origin === from.origin ? headers : {} };
}

export function parseHttpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HttpFetchError('not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new HttpFetchError(`only http and https URLs are allowed, not ${parsed.protocol}`);
  return parsed;
}

/** Origin and path only: no credentials, no query. */
export function safeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
