/**
 * A real SMTP server in the test process (the smtp-server package) that keeps every message it receives, parsed
 * with mailparser. It can refuse messages with a temporary error, or go away entirely and come back on its port.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../../lib/free-port.ts';
import { trackResource } from './resources.ts';

export interface ReceivedMail {
  raw: string;
  parsed: ParsedMail;
  messageId: string;
  accepted: boolean;
  /** When the server gave its reply (ms since the epoch). */
  repliedAt: number;
}

export interface SmtpSink {
  readonly url: string;
  /** Every DATA the server read, accepted or refused. */
  readonly received: ReceivedMail[];
  accepted(): ReceivedMail[];
  /** accept: 250; refuse: 451 after reading the message. */
  mode: 'accept' | 'refuse';
  /** A slow server: holds its reply to every message read from now on until the returned function is called. */
  hold(): () => void;
  /** Messages read and waiting for their reply. */
  held(): number;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const port = await freePort();
  const received: ReceivedMail[] = [];
  let server: SMTPServer | null = null;
  let gate: Promise<void> | null = null;
  let waiting = 0;
  const sink: SmtpSink = {
    url: `smtp://127.0.0.1:${port}`,
    received,
    accepted: () => received.filter((m) => m.accepted),
    mode: 'accept',
    hold: () => {
      let release = () => undefined as void;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        gate = null;
        release();
      };
    },
    held: () => waiting,
    start: async () => {
      if (server) return;
      server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onData(stream, _session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            const accepted = sink.mode === 'accept';
            // skipImageLinks: keep cid: references as sent (mailparser would inline them as data: URIs).
            const held = gate;
            simpleParser(raw, { skipImageLinks: true })
              .then(async (parsed) => {
                if (held) {
                  waiting++;
                  await held;
                  waiting--;
                }
                return parsed;
              })
              .then(
                (parsed) => {
                  received.push({ raw, parsed, messageId: parsed.messageId ?? '', accepted, repliedAt: Date.now() });
                  if (accepted) callback();
                  else callback(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }));
                },
                (error: unknown) => callback(error as Error),
              );
          });
        },
      });
      const s = server;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      }).catch((error: unknown) => {
        server = null;
        throw error;
      });
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
  const release = trackResource(`smtp sink on ${port}`);
  await sink.start();
  return sink;
}
