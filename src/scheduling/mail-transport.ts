import nodemailer, { type SMTPSentMessageInfo, type Transporter } from 'nodemailer';
import type { OutgoingMail } from './imip-message.js';

/** What the relay did with one message's recipients (bare addresses, lower case). */
export interface SendOutcome {
  accepted: string[];
  rejected: string[];
}

/** Hands mail to a relay. */
export interface MailSender {
  /** The relay as logs may name it: scheme, host and port, never credentials. */
  readonly relay: string;
  /**
   * Sends one message. Resolves with the recipients the relay accepted and rejected; rejects
   * (MailSendError) when nothing was handed over: relay down, refused login, time-out, too busy.
   */
  send(mail: OutgoingMail): Promise<SendOutcome>;
  close(): void;
}

/** A message that was not handed to the relay. `message` holds no credentials. */
export class MailSendError extends Error {
  constructor(
    readonly reason: 'busy' | 'timeout' | 'relay',
    message: string,
  ) {
    super(message);
    this.name = 'MailSendError';
  }
}

export interface SmtpSenderOptions {
  /** smtp:// or smtps:// URL, credentials allowed in it. */
  url: string;
  /** Longest a message may take, connection included. */
  timeoutMs: number;
  /** Messages in transit at once (each on its own connection). */
  concurrency?: number;
  /** Messages waiting for a turn; beyond that a send fails at once. */
  maxWaiting?: number;
}

const DEFAULT_CONCURRENCY = 4;
const DEFAULT_WAITING = 64;

/**
 * Sends through an SMTP relay with nodemailer: one connection per message (no pool, whose queue
 * would be unbounded), at most `concurrency` at once and `maxWaiting` waiting, each within
 * `timeoutMs`, so a WCAP request waiting for its mail is waiting for a bounded time.
 */
export class SmtpMailSender implements MailSender {
  readonly relay: string;
  private readonly transport: Transporter<SMTPSentMessageInfo>;
  private readonly secret: string | undefined;
  private readonly concurrency: number;
  private readonly maxWaiting: number;
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly options: SmtpSenderOptions) {
    const url = new URL(options.url);
    const secure = url.protocol === 'smtps:';
    this.relay = relayName(options.url);
    this.secret = url.password ? decodeURIComponent(url.password) : undefined;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.maxWaiting = options.maxWaiting ?? DEFAULT_WAITING;
    this.transport = nodemailer.createTransport({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : secure ? 465 : 25,
      secure,
      ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: this.secret ?? '' } } : {}),
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    });
  }

  async send(mail: OutgoingMail): Promise<SendOutcome> {
    await this.turn();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new MailSendError('timeout', `no answer from the mail relay within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      });
      const info = await Promise.race([this.transport.sendMail(nodemailerMessage(mail)), timeout]);
      const lower = (list: unknown[] | undefined) => (list ?? []).map((a) => String(typeof a === 'object' && a && 'address' in a ? a.address : a).toLowerCase());
      return { accepted: lower(info.accepted), rejected: lower(info.rejected) };
    } catch (err) {
      if (err instanceof MailSendError) throw err;
      throw new MailSendError('relay', this.withoutSecret(err instanceof Error ? err.message : String(err)));
    } finally {
      clearTimeout(timer);
      this.release();
    }
  }

  close(): void {
    this.transport.close();
  }

  private turn(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxWaiting) {
      return Promise.reject(new MailSendError('busy', `more than ${this.maxWaiting} messages wait for the mail relay`));
    }
    // The slot is handed over by release(), so `running` stays counted.
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }

  /** A relay may echo what it was sent; the password never leaves this object. */
  private withoutSecret(text: string): string {
    const oneLine = text.replace(/\s+/g, ' ').slice(0, 300);
    return this.secret ? oneLine.split(this.secret).join('***') : oneLine;
  }
}

/** `smtp://host:port` of a relay URL, for logs: user and password dropped. */
export function relayName(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

/** The message as nodemailer builds it: text/plain and text/calendar alternatives, envelope as To. */
export function nodemailerMessage(mail: OutgoingMail) {
  return {
    from: mail.from,
    replyTo: mail.replyTo,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    alternatives: [
      {
        contentType: `text/calendar; charset=utf-8; method=${mail.calendar.method}`,
        content: mail.calendar.content,
        // Long lines and non-ASCII text survive every relay; calendar readers decode it.
        contentTransferEncoding: 'quoted-printable',
      },
    ],
    envelope: { from: mail.from.address, to: mail.to },
  };
}
