import type { Outbox } from '../scheduling/outbox.js';
import { Errno } from './errno.js';
import { p } from './params.js';
import { WcapError } from './wcap-error.js';

/**
 * The mail switches of store and delete requests. Absent means "send": Lightning leaves them out
 * when it wants the server to mail attendees and sends all three as 0 when it does not; any one of
 * them 0 turns mail off (docs/wcap-protocol.md#scheduling-mail).
 */
export const notifyParams = {
  smtp: p.flag(true),
  smtpNotify: p.flag(true),
  notify: p.flag(true),
};

export function mailWanted(params: { smtp: boolean; smtpNotify: boolean; notify: boolean }): boolean {
  return params.smtp && params.smtpNotify && params.notify;
}

/**
 * Sends the request's scheduling mail once its calendar writes have succeeded. A recipient not
 * reached answers errno 33: the change is saved, the mail is not (the request is not redone).
 */
export async function deliverMail(outbox: Outbox): Promise<void> {
  const { failed } = await outbox.deliver();
  if (failed.length > 0) {
    throw new WcapError(Errno.CANNOT_SENT_EMAIL, `The change was saved, but the notification mail to ${failed.length} recipient(s) could not be sent`);
  }
}
