/**
 * Mail with credentials goes out only over TLS: STARTTLS on smtp://, TLS from the first byte on smtps://, with the
 * server's certificate checked. A server that offers no STARTTLS never sees the password. The certificate is a
 * self-signed one made for this test (openssl, in a temporary folder) and trusted by the test only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/free-port.ts';
import { createMailChannel, type MailChannel } from '../../notify/channels/mail.ts';
import { trackResource } from '../support/resources.ts';

const PASSWORD = 'pa55-w0rd';
let key: Buffer;
let cert: Buffer;

beforeAll(() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'envmon-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  key = readFileSync(path.join(dir, 'key.pem'));
  cert = readFileSync(path.join(dir, 'cert.pem'));
  rmSync(dir, { recursive: true, force: true });
});

interface Server {
  port: number;
  logins: { user: string; password: string; secure: boolean }[];
  messages: string[];
  close(): Promise<void>;
}

async function startServer(options: SMTPServerOptions): Promise<Server> {
  const port = await freePort();
  const logins: Server['logins'] = [];
  const messages: string[] = [];
  const server = new SMTPServer({
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, session, callback) {
      logins.push({ user: auth.username ?? '', password: auth.password ?? '', secure: session.secure });
      callback(null, { user: auth.username });
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const release = trackResource(`smtp server on ${port}`);
  return {
    port,
    logins,
    messages,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      release();
    },
  };
}

const message = { from: 'envmon <envmon@example.org>', to: 'duty@example.org', subject: '【超标预警】测试', text: 'body', html: '<p>body</p>', messageId: '<tls-test@envmon>' };

describe('mail with credentials', () => {
  let channel: MailChannel | null = null;
  let server: Server | null = null;
  afterEach(async () => {
    channel?.close();
    channel = null;
    await server?.close();
    server = null;
  });
  const use = (s: Server, url: string) => {
    channel?.close();
    server = s;
    channel = createMailChannel(url, '/nonexistent', 5_000, { ca: cert });
    return channel;
  };

  it('logs in only after STARTTLS on smtp://, checking the certificate against the trusted one', async () => {
    const s = await startServer({ key, cert });
    const mail = use(s, `smtp://envmon:${PASSWORD}@127.0.0.1:${s.port}`);
    await mail.verify();
    await mail.send(message);
    expect(s.logins).toEqual([
      { user: 'envmon', password: PASSWORD, secure: true },
      { user: 'envmon', password: PASSWORD, secure: true },
    ]);
    expect(s.messages).toHaveLength(1);
  });

  it('speaks TLS from the first byte on smtps://', async () => {
    const s = await startServer({ key, cert, secure: true });
    const mail = use(s, `smtps://envmon:${PASSWORD}@127.0.0.1:${s.port}`);
    await mail.send(message);
    expect(s.logins).toEqual([{ user: 'envmon', password: PASSWORD, secure: true }]);
    expect(s.messages).toHaveLength(1);
  });

  it('refuses to send the password to a server that offers no STARTTLS, naming the variable and not the URL', async () => {
    const s = await startServer({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
    const mail = use(s, `smtp://envmon:${PASSWORD}@127.0.0.1:${s.port}`);
    const expected = 'ENVMON_SMTP_URL: the mail server offers no STARTTLS; a password is never sent in clear (use smtps://, or a server with STARTTLS)';
    await expect(mail.verify()).rejects.toThrow(expected);
    await expect(mail.send(message)).rejects.toThrow(expected);
    expect(s.logins).toEqual([]);
    expect(s.messages).toEqual([]);
  });

  it('refuses a certificate it does not trust', async () => {
    const s = await startServer({ key, cert });
    server = s;
    channel = createMailChannel(`smtp://envmon:${PASSWORD}@127.0.0.1:${s.port}`, '/nonexistent', 5_000);
    const error = await channel.send(message).then(() => null, (e: unknown) => e as Error);
    expect(error?.message).toMatch(/^ENVMON_SMTP_URL: /);
    expect(error?.message).not.toContain(PASSWORD);
    expect(s.logins).toEqual([]);
  });
});
