/**
 * Mail: through an SMTP server (pooled connections) when ENVMON_SMTP_URL is set, else written as .eml files to
 * ENVMON_VAR_DIR/outbox so a new installation shows its mail without a server. Either way the message carries the
 * Message-ID it is given, so a retry repeats it exactly.
 *
 * A password is never sent in clear: with credentials, smtps:// speaks TLS from the first byte and smtp:// must
 * upgrade with STARTTLS (nodemailer's `requireTLS`) — a server that does not offer it is refused. The server's
 * certificate is checked against the system's CAs (plus NODE_EXTRA_CA_CERTS, or `ca` given here).
 * Errors name the setting, ENVMON_SMTP_URL, never the URL, which holds the password.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Without the angle brackets' content changing between attempts. */
  messageId: string;
  attachments?: { filename: string; content: Buffer | string; contentType: string; cid?: string }[];
}

export interface MailChannel {
  readonly kind: 'smtp' | 'file';
  /** Resolves once the server accepted the message (or the file is written). */
  send(message: MailMessage): Promise<void>;
  /** Checks the connection and login; throws with a reason that holds no password. */
  verify(): Promise<void>;
  close(): void;
}

/** Where the SMTP URL comes from: what errors name. */
const SETTING = 'ENVMON_SMTP_URL';

export interface MailChannelOptions {
  /** Certificates to trust for the mail server besides the system's (PEM), e.g. a private CA. */
  ca?: string | Buffer;
}

export function createMailChannel(smtpUrl: string | null, varDir: string, timeoutMs: number, options: MailChannelOptions = {}): MailChannel {
  return smtpUrl ? smtpChannel(smtpUrl, timeoutMs, options) : fileChannel(path.join(varDir, 'outbox'));
}

function smtpChannel(smtpUrl: string, timeoutMs: number, options: MailChannelOptions): MailChannel {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const credentials = url.username !== '';
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    // With a password to send, plain smtp:// must upgrade with STARTTLS or fail before AUTH.
    requireTLS: credentials && !secure,
    ...(credentials ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    pool: true,
    maxConnections: 2,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // A test server on this machine may have a self-signed certificate; allow it only where the URL says so.
    tls: { rejectUnauthorized: url.searchParams.get('tls') !== 'insecure', ...(options.ca === undefined ? {} : { ca: options.ca }) },
  });
  const failure = (error: unknown) => new Error(`${SETTING}: ${reason(error, credentials && !secure)}`);
  return {
    kind: 'smtp',
    send: async (m) => {
      try {
        await transport.sendMail({ from: m.from, to: m.to, subject: m.subject, text: m.text, html: m.html, messageId: m.messageId, attachments: m.attachments ?? [] });
      } catch (error) {
        throw failure(error);
      }
    },
    verify: async () => {
      try {
        await transport.verify();
      } catch (error) {
        throw failure(error);
      }
    },
    close: () => transport.close(),
  };
}

function fileChannel(dir: string): MailChannel {
  const compose = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    kind: 'file',
    send: async (m) => {
      const info = await compose.sendMail({ from: m.from, to: m.to, subject: m.subject, text: m.text, html: m.html, messageId: m.messageId, attachments: m.attachments ?? [] });
      await mkdir(dir, { recursive: true });
      // One file per message: a retry of the same message overwrites its own file.
      const name = m.messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9.@_-]/g, '_');
      await writeFile(path.join(dir, `${name}.eml`), info.message as Buffer);
    },
    verify: async () => {
      await mkdir(dir, { recursive: true });
    },
    close: () => compose.close(),
  };
}

/** The server's answer or the network error, without credentials. */
function reason(error: unknown, startTlsRequired: boolean): string {
  const e = error as { responseCode?: number; response?: string; code?: string; command?: string; message?: string };
  // nodemailer sends STARTTLS whatever the server advertised; a server without it answers with an error.
  if (startTlsRequired && e.command === 'STARTTLS') return 'the mail server offers no STARTTLS; a password is never sent in clear (use smtps://, or a server with STARTTLS)';
  if (e.code === 'ESOCKET' && /certificate|self.signed|unable to verify/i.test(e.message ?? '')) return `the mail server's TLS certificate is not trusted (${(e.message ?? '').slice(0, 120)})`;
  if (e.responseCode) return `the mail server answered ${e.responseCode} ${(e.response ?? '').slice(0, 200)}`;
  return e.code ?? (e.message ?? String(error)).slice(0, 200);
}
