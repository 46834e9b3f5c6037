/**
 * An SMTP server in the test process that records every message it accepts, with its Message-ID, recipient and
 * the alert ids its items link to. It can take its time before accepting (so that a notification run lasts long
 * enough to be killed in the middle), and it can go away and come back on the same port (an outage).
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../../../lib/free-port.ts';
import { trackResource } from '../../support/resources.ts';

export interface SinkMail {
  messageId: string;
  to: string;
  subject: string;
  /** Alert ids linked from the message's items (`<linkBase>/alerts/<id>`), once per item. */
  alertItems: number[];
  acceptedAt: number;
}

export interface MailSink {
  readonly url: string;
  readonly accepted: SinkMail[];
  /** Messages received whole and not yet answered (the sink is taking its time). */
  inFlight(): number;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startMailSink(options: { acceptDelayMs?: number } = {}): Promise<MailSink> {
  const port = await freePort();
  const accepted: SinkMail[] = [];
  let server: SMTPServer | null = null;
  let inFlight = 0;
  const sink: MailSink = {
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    inFlight: () => inFlight,
    start: async () => {
      if (server) return;
      const s = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        // Down means down: connections still open when the server stops are cut at once, not after 30 s.
        closeTimeout: 50,
        onData(stream, _session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            inFlight++;
            simpleParser(raw, { skipImageLinks: true }).then(
              (parsed) => {
                const accept = () => {
                  const to = parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : '';
                  const alertItems = [...(parsed.text ?? '').matchAll(/\/alerts\/(\d+)\b/g)].map((m) => Number(m[1]));
                  accepted.push({ messageId: parsed.messageId ?? '', to, subject: parsed.subject ?? '', alertItems, acceptedAt: Date.now() });
                  inFlight--;
                  callback();
                };
                if (options.acceptDelayMs) setTimeout(accept, options.acceptDelayMs);
                else accept();
              },
              (error: unknown) => {
                inFlight--;
                callback(error as Error);
              },
            );
          });
        },
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      // A client killed in the middle of a session resets its connection: expected here, not a test failure.
      s.on('error', () => undefined);
      server = s;
    },
    stop: async () => {
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    close: async () => {
      await sink.stop();
      release();
    },
  };
  const release = trackResource(`mail sink on ${port}`);
  await sink.start();
  return sink;
}
