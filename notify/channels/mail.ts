/**
 * Mail: through an SMTP server (pooled connections, TLS for smtps://, STARTTLS when the server offers it) when
 * ENVMON_SMTP_URL is set, else written as .eml files to ENVMON_VAR_DIR/outbox so a new installation shows its mail
 * without a server. Either way the message carries the Message-ID it is given, so a retry repeats it exactly.
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

export function createMailChannel(smtpUrl: string | null, varDir: string, timeoutMs: number): MailChannel {
  return smtpUrl ? smtpChannel(smtpUrl, timeoutMs) : fileChannel(path.join(varDir, 'outbox'));
}

function smtpChannel(smtpUrl: string, timeoutMs: number): MailChannel {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    pool: true,
    maxConnections: 2,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // A test server on this machine may have a self-signed certificate; allow it only where the URL says so.
    tls: { rejectUnauthorized: url.searchParams.get('tls') !== 'insecure' },
  });
  const where = `${url.protocol}//${url.host}`;
  return {
    kind: 'smtp',
    send: async (m) => {
      try {
        await transport.sendMail({ from: m.from, to: m.to, subject: m.subject, text: m.text, html: m.html, messageId: m.messageId, attachments: m.attachments ?? [] });
      } catch (error) {
        throw new Error(`SMTP ${where}: ${reason(error)}`);
      }
    },
    verify: async () => {
      try {
        await transport.verify();
      } catch (error) {
        throw new Error(`SMTP ${where}: ${reason(error)}`);
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
function reason(error: unknown): string {
  const e = error as { responseCode?: number; response?: string; code?: string; message?: string };
  if (e.responseCode) return `${e.responseCode} ${(e.response ?? '').slice(0, 200)}`;
  return e.code ?? (e.message ?? String(error)).slice(0, 200);
}
