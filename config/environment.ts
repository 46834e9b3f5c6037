/**
 * Settings from environment variables. Secrets (database and Redis passwords inside their URLs, SMTP and source
 * credentials) are read only from here, never from files. Every variable is documented in `.env.example`.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

const url = (schemes: readonly string[]) =>
  z.string().refine((value) => {
    try {
      return schemes.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `a URL starting with ${schemes.join(' or ')}//`);

export const environmentSchema = z.object({
  /** PostgreSQL to use; without it envmon starts an embedded PostgreSQL under ENVMON_VAR_DIR. */
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  /** Redis for the queues; without it the queues live in PostgreSQL (BullMQ's PostgreSQL backend). */
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  /** Comma-separated configuration files. */
  ENVMON_CONFIG: z.string().min(1).default('config/envmon.yaml'),
  /** Folder for local state: the embedded database, mail written to files. */
  ENVMON_VAR_DIR: z.string().min(1).default('var'),
  /** Prefix of queue keys (Redis) so several deployments can share one server. */
  ENVMON_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, "_" or "-"').default('envmon'),
  /** What `envmon start` runs: everything, only the workers, or only the scheduler. */
  ENVMON_ROLE: z.enum(['all', 'worker', 'scheduler']).default('all'),
  ENVMON_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /**
   * Port of the HTTP server: the web console, GET /healthz, GET /metrics and the read-only JSON API under /api.
   * Default 8080; `off` runs no HTTP server at all.
   */
  ENVMON_HTTP_PORT: z
    .string()
    .refine((v) => v === 'off' || (/^\d{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 65535), 'a port number from 1 to 65535, or off (no HTTP server)')
    .transform((v) => (v === 'off' ? null : Number(v)))
    .default(8080),
  /**
   * Address the HTTP server listens on. Default 127.0.0.1: only this machine. 0.0.0.0 (or ::) listens on every
   * interface, e.g. in a container behind a published port.
   */
  ENVMON_HTTP_HOST: z
    .string()
    .refine((v) => isIP(v) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(v), 'an IP address or host name to listen on, such as 127.0.0.1 or 0.0.0.0')
    .default('127.0.0.1'),
  /**
   * `token` (default): the JSON API under /api answers only requests with a valid bearer token
   * (`envmon tokens create`). `none`: it answers anyone who can reach it (logged as a warning at start).
   * /healthz and /metrics are always open to probes and scrapers.
   */
  ENVMON_HTTP_AUTH: z.enum(['token', 'none'], { error: '"token" (bearer tokens required) or "none" (open API)' }).default('token'),
  /**
   * Mail server for notifications, e.g. smtps://user:password@smtp.example.org:465 (TLS) or
   * smtp://user:password@host:587 (STARTTLS); unset or empty means mail is written as .eml files to
   * ENVMON_VAR_DIR/outbox.
   */
  ENVMON_SMTP_URL: z.preprocess((v) => (v === '' ? undefined : v), url(['smtp:', 'smtps:']).optional()),
  /** How long shutdown waits for running jobs, in ms. */
  ENVMON_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120000).default(15000),
});

export type Environment = z.infer<typeof environmentSchema>;
