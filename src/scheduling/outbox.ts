import ICAL from 'ical.js';
import type { Logger } from 'pino';
import type { Calendar } from '../calendars/calendar.js';
import type { Item } from '../calendars/item.js';
import type { Directory } from '../mapping/directory.js';
import type { Clock } from '../model/clock.js';
import type { BackendCredentials } from '../model/session.js';
import { imipMail } from './imip-message.js';
import { planMessages, type ItemVersion, type ItipMessage } from './itip-plan.js';
import { MailSendError, type MailSender } from './mail-transport.js';
import { recordDeliveries, type Deliveries } from './delivery-status.js';
import type { ServerScheduling } from './server-scheduling.js';

/** What every outbox of the process shares. */
export interface SchedulingSetup {
  /** The relay; undefined: no mail is ever sent. */
  sender: MailSender | undefined;
  /** The From address of every message (WCAP_SMTP_FROM). */
  senderAddress: string;
  server: ServerScheduling;
  directory: Directory;
  clock: Clock;
  /** Most recipients of the messages of one request (WCAP_MAX_ATTENDEES). */
  maxRecipients: number;
  /** Told the fate of each message (metrics). */
  onMail?: (result: 'sent' | 'failed') => void;
}

/** What a request's mail came to: the recipients that were not reached. */
export interface DeliveryReport {
  failed: string[];
}

/** Messages sent side by side within one request. */
const PARALLEL_SENDS = 4;

/**
 * The scheduling messages of one WCAP write request: the command notes each item before and after
 * its writes; `deliver`, called once the calendar writes succeeded, decides what to send
 * (itip-plan.ts), sends it through the relay and records each recipient's delivery on the stored
 * item as SCHEDULE-STATUS (delivery-status.ts). Nothing is sent when the request asked for no mail,
 * no relay is configured, or the CalDAV server schedules itself.
 */
export class Outbox {
  private readonly changes = new Map<string, { before: ItemVersion | null; after: ItemVersion | null; reply: boolean }>();

  constructor(
    private readonly setup: SchedulingSetup,
    private readonly calendar: Calendar,
    private readonly user: string,
    private readonly credentials: BackendCredentials,
    private readonly log: Logger,
    /** The request asked for mail (smtp, smtpNotify, notify not 0). */
    private readonly wanted: boolean,
  ) {}

  /** Whether anything noted could be sent (so the command copies items only then). */
  get active(): boolean {
    return this.wanted && this.setup.sender !== undefined;
  }

  /** A copy of an item as read, before the command changes it; null when inactive. */
  snapshot(item: Item): ItemVersion | null {
    if (!this.active) return null;
    return { vcalendar: new ICAL.Component(structuredClone(item.vcalendar.jCal)), uid: item.uid, type: item.type };
  }

  /**
   * Notes what the request's writes did to one item (`before` from {@link snapshot}, null for a new
   * item; `after` null for a deleted one). Several notes of one item keep the first `before` and
   * the last `after`.
   */
  note(before: ItemVersion | null, after: ItemVersion | null, reply = false): void {
    if (!this.active) return;
    const key = `${(after ?? before)?.type}\n${(after ?? before)?.uid}`;
    const earlier = this.changes.get(key);
    this.changes.set(key, { before: earlier ? earlier.before : before, after, reply });
  }

  /** Sends what the noted changes call for. Never throws; the report lists unreached recipients. */
  async deliver(): Promise<DeliveryReport> {
    if (!this.active || this.changes.size === 0) return { failed: [] };
    const messages = [...this.changes.values()].flatMap((change) => planMessages(change, this.user, this.setup.directory, new Date(this.setup.clock.now())));
    // Asked only when there is something to send (one OPTIONS per process, server-scheduling.ts).
    if (messages.length === 0 || (await this.setup.server.schedulesItself(this.credentials))) return { failed: [] };
    let budget = this.setup.maxRecipients;
    const results: Array<{ message: ItipMessage; deliveries: Deliveries }> = [];
    for (let i = 0; i < messages.length; i += PARALLEL_SENDS) {
      const batch = messages.slice(i, i + PARALLEL_SENDS).map((message) => {
        budget -= message.recipients.length;
        if (budget >= 0) return this.send(message);
        return Promise.resolve(this.refuse(message, 'more recipients in one request than WCAP_MAX_ATTENDEES allows'));
      });
      results.push(...(await Promise.all(batch)));
    }
    await recordDeliveries(this.calendar, results, this.setup.directory, this.log);
    const failed = results.flatMap(({ deliveries }) => [...deliveries].filter(([, ok]) => !ok).map(([address]) => address));
    return { failed: [...new Set(failed)] };
  }

  private async send(message: ItipMessage): Promise<{ message: ItipMessage; deliveries: Deliveries }> {
    const actor = { name: this.user, address: this.setup.directory.mailOf(this.user) };
    const mail = imipMail(message, this.setup.senderAddress, actor);
    try {
      const outcome = await this.setup.sender!.send(mail);
      const rejected = new Set(outcome.rejected);
      const deliveries: Deliveries = new Map(message.recipients.map((r) => [r.toLowerCase(), !rejected.has(r.toLowerCase())]));
      if (rejected.size > 0) this.warn(message, `the relay refused ${rejected.size} of ${message.recipients.length} recipients`, 'relay');
      this.setup.onMail?.(rejected.size > 0 ? 'failed' : 'sent');
      return { message, deliveries };
    } catch (err) {
      const reason = err instanceof MailSendError ? err.reason : 'relay';
      this.warn(message, err instanceof Error ? err.message : String(err), reason);
      return this.refuse(message);
    }
  }

  /** Counts a message as failed for all its recipients: not sent, or not handed over. */
  private refuse(message: ItipMessage, why?: string): { message: ItipMessage; deliveries: Deliveries } {
    if (why) this.warn(message, why, 'limit');
    this.setup.onMail?.('failed');
    return { message, deliveries: new Map(message.recipients.map((r) => [r.toLowerCase(), false])) };
  }

  private warn(message: ItipMessage, detail: string, reason: string): void {
    this.log.warn(
      { method: message.method, purpose: message.purpose, recipients: message.recipients.length, relay: this.setup.sender?.relay, reason, err: detail },
      'scheduling mail not delivered',
    );
  }
}
