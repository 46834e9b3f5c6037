/**
 * A queue server (Redis) that goes away is told once per interval for the whole process: ioredis reports every
 * failed reconnect of each of its connections, and BullMQ passes each one on to every worker as well — a dozen lines
 * a second that would bury the log line that matters.
 */
import type { Logger } from '../lib/logger.ts';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether an error is a lost or refused connection (retried by the client by itself), not a fault of a job. */
export function isConnectionError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'string' && CONNECTION_CODES.has(code)) || /^Connection is closed/.test(error.message);
}

/** Logs the first connection error of each interval, with how many were held back since the last line. */
export function connectionErrorReporter(log: Pick<Logger, 'warn'> | undefined, intervalMs = 10_000, now: () => number = Date.now): (error: Error) => void {
  let last: number | null = null;
  let heldBack = 0;
  return (error) => {
    const t = now();
    if (last !== null && t - last < intervalMs) {
      heldBack++;
      return;
    }
    log?.warn('queue server connection lost; reconnecting', { error: error.message, heldBack });
    last = t;
    heldBack = 0;
  };
}
