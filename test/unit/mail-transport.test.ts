import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutgoingMail } from '../../src/scheduling/imip-message.js';
import { MailSendError, SmtpMailSender } from '../../src/scheduling/mail-transport.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const MAIL: OutgoingMail = {
  from: { name: 'frank', address: 'calendar@example.com' },
  replyTo: { address: 'frank@example.com' },
  to: ['a@external.test', 'b@external.test'],
  subject: 'Invitation: Review',
  text: 'frank invites you\r\n',
  calendar: { method: 'REQUEST', content: 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n' },
};

/** A TCP server that accepts connections and never says a word (a hung relay). */
async function silentRelay(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `smtp://u:secret-pw@127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      sockets.forEach((s) => s.destroy());
      server.close(() => resolve());
    }),
  };
}

describe('SmtpMailSender', () => {
  const closing: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  it('hands the message to the relay with the URL login, and reports accepted and refused recipients', async () => {
    const sink: SmtpSink = await startSmtpSink({ user: 'u', password: 'p@ss word' });
    closing.push(() => sink.close());
    sink.refuse.add('b@external.test');
    expect(sink.url).toContain('u:p%40ss%20word@');
    const sender = new SmtpMailSender({ url: sink.url, timeoutMs: 5000 });
    closing.push(() => sender.close());
    await expect(sender.send(MAIL)).resolves.toEqual({ accepted: ['a@external.test'], rejected: ['b@external.test'] });
    expect(sink.logins).toEqual(['u']);
    expect(sink.received[0]?.to).toEqual(['a@external.test']);
    expect(sink.received[0]?.from).toBe('calendar@example.com');
  });

  it('a relay that does not answer fails within the time-out, and the error holds no password', async () => {
    const relay = await silentRelay();
    closing.push(() => relay.close());
    const sender = new SmtpMailSender({ url: relay.url, timeoutMs: 300 });
    closing.push(() => sender.close());
    const error = await sender.send(MAIL).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MailSendError);
    expect((error as MailSendError).reason).toBe('timeout');
    expect((error as Error).message).not.toContain('secret-pw');
  });

  it('no unbounded queue: beyond the waiting limit a send fails at once as busy', async () => {
    const relay = await silentRelay();
    closing.push(() => relay.close());
    const sender = new SmtpMailSender({ url: relay.url, timeoutMs: 2000, concurrency: 1, maxWaiting: 1 });
    closing.push(() => sender.close());
    const first = sender.send(MAIL).catch((err: unknown) => err);
    const second = sender.send(MAIL).catch((err: unknown) => err);
    const third = await sender.send(MAIL).catch((err: unknown) => err);
    expect(third).toBeInstanceOf(MailSendError);
    expect((third as MailSendError).reason).toBe('busy');
    await relay.close();
    // The two admitted ones end (the relay went away), they do not hang.
    expect(await first).toBeInstanceOf(MailSendError);
    expect(await second).toBeInstanceOf(MailSendError);
  });
});
