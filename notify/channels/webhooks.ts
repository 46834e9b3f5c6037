/**
 * Chat and HTTP channels. The generic webhook posts JSON with `X-Envmon-Signature: sha256=HEX`, the HMAC-SHA256
 * of `${timestamp}.${body}` under the recipient's secret, and `X-Envmon-Timestamp` (seconds), so a receiver can
 * check origin and freshness. WeCom (企业微信) and DingTalk (钉钉) group robots take their markdown message types;
 * DingTalk's signed mode (加签) appends timestamp and sign = Base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`)).
 * URLs embed the robots' keys: errors name the environment variable, never the URL.
 */
import { createHmac } from 'node:crypto';
import { fetchBounded, HttpFetchError } from '../../lib/http-fetch.ts';

export interface WebhookTarget {
  kind: 'webhook' | 'wecom' | 'dingtalk';
  /** Environment variable the URL came from: what errors show. */
  urlEnv: string;
  url: string;
  secret?: string | undefined;
}

export interface WebhookMessage {
  /** Stable per message: a receiver can drop repeats. */
  id: string;
  subject: string;
  markdown: string;
  /** Structured payload of the generic webhook: per item kind, alertId, severity, evidence and `link` (the alert's console page, null without linkBase). */
  items: unknown[];
}

export class WebhookError extends Error {
  override name = 'WebhookError';
}

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function dingtalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const sign = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
  const signed = new URL(url);
  signed.searchParams.set('timestamp', String(timestampMs));
  signed.searchParams.set('sign', sign);
  return signed.toString();
}

export async function sendWebhook(target: WebhookTarget, message: WebhookMessage, options: { timeoutMs: number; now: Date }): Promise<void> {
  let url = target.url;
  let body: string;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  switch (target.kind) {
    case 'webhook': {
      body = JSON.stringify({ id: message.id, subject: message.subject, items: message.items });
      const timestamp = Math.floor(options.now.getTime() / 1000);
      headers['x-envmon-timestamp'] = String(timestamp);
      headers['x-envmon-message-id'] = message.id;
      if (target.secret) headers['x-envmon-signature'] = signWebhook(target.secret, timestamp, body);
      break;
    }
    case 'wecom':
      // WeCom markdown content is limited to 4096 bytes.
      body = JSON.stringify({ msgtype: 'markdown', markdown: { content: truncateBytes(message.markdown, 4000) } });
      break;
    case 'dingtalk':
      if (target.secret) url = dingtalkSignedUrl(url, target.secret, options.now.getTime());
      body = JSON.stringify({ msgtype: 'markdown', markdown: { title: message.subject.slice(0, 64), text: truncateBytes(message.markdown, 18000) } });
      break;
  }
  let response: { status: number; body: Buffer };
  try {
    response = await fetchBounded(url, { timeoutMs: options.timeoutMs, readTimeoutMs: options.timeoutMs, maxBytes: 64 * 1024, headers, body });
  } catch (error) {
    const status = error instanceof HttpFetchError && error.status !== undefined ? `HTTP ${error.status}` : 'no answer';
    throw new WebhookError(`${target.kind} (${target.urlEnv}): ${status}`);
  }
  // The robots answer 200 with an error code in the body when they refuse a message.
  if (target.kind !== 'webhook') {
    let answer: { errcode?: number; errmsg?: string } = {};
    try {
      answer = JSON.parse(response.body.toString('utf8')) as typeof answer;
    } catch {
      throw new WebhookError(`${target.kind} (${target.urlEnv}): unreadable answer`);
    }
    if (answer.errcode !== 0) throw new WebhookError(`${target.kind} (${target.urlEnv}): errcode ${answer.errcode ?? '?'} ${String(answer.errmsg ?? '').slice(0, 100)}`);
  }
}

function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let cut = text.slice(0, maxBytes);
  while (Buffer.byteLength(cut) > maxBytes - 3) cut = cut.slice(0, -1);
  return `${cut}…`;
}
