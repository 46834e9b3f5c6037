/**
 * HTTP GET (and POST, for webhooks) with every bound a feed needs: http/https only, a deadline for the whole exchange, a read timeout
 * between chunks (a server that stalls mid-body), and a maximum body size checked while reading. Error messages
 * name the URL without its query string or credentials, which may carry tokens.
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
    const response = await fetch(target, {
      method: options.body === undefined ? 'GET' : 'POST',
      headers: options.headers ?? {},
      ...(options.body === undefined ? {} : { body: options.body }),
      signal: controller.signal,
      redirect: options.body === undefined ? 'follow' : 'error',
    });
    if (!['http:', 'https:'].includes(new URL(response.url || target.href).protocol)) throw new HttpFetchError(`${shown}: redirected away from http/https`);
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
