import type ICAL from 'ical.js';
import type { Logger } from 'pino';
import type { Calendar } from '../calendars/calendar.js';
import type { Directory } from '../mapping/directory.js';
import { isGatewayError, messageOf } from '../model/errors.js';
import { addressOf, type ItipMessage } from './itip-plan.js';

/** Per recipient (bare address, lower case): whether the relay took the message for it. */
export type Deliveries = Map<string, boolean>;

/**
 * RFC 6638 §3.2.9 status of a message that could not be delivered ("5.1: could not complete
 * delivery", RFC 5546 §3.6). fetchcomponents_by_attendee_error finds ATTENDEEs whose status is of
 * class 3.x or 5.x (docs/wcap-protocol.md#scheduling-mail).
 */
export const UNDELIVERED = '5.1';

/**
 * Records on each stored item the fate of its messages: SCHEDULE-STATUS=5.1 on the ATTENDEE (or, for
 * a reply, the ORGANIZER) the message did not reach, and no SCHEDULE-STATUS on one it reached (a
 * later success clears an earlier failure). One read and, when something changes, one conditional
 * write per item, redone once on a concurrent change. A deleted item keeps nothing. Failures are
 * logged, never thrown: the calendar write the user asked for has happened.
 */
export async function recordDeliveries(
  calendar: Calendar,
  results: Array<{ message: ItipMessage; deliveries: Deliveries }>,
  directory: Directory,
  log: Logger,
): Promise<void> {
  const byItem = new Map<string, { message: ItipMessage; deliveries: Deliveries }[]>();
  for (const result of results) {
    if (!result.message.statusOn) continue;
    const key = `${result.message.type}\n${result.message.uid}`;
    byItem.set(key, [...(byItem.get(key) ?? []), result]);
  }
  for (const entries of byItem.values()) {
    const { uid, type } = entries[0]!.message;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const item = await calendar.find(uid, type);
        if (!item) break;
        const changed = entries.map((e) => mark(item.components, e.message.statusOn!, e.deliveries, directory)).some(Boolean);
        if (changed) await calendar.save(item);
        break;
      } catch (err) {
        if (attempt === 0 && isGatewayError(err, 'changed')) continue;
        log.warn({ err: messageOf(err) }, 'delivery status not recorded on the stored item');
        break;
      }
    }
  }
}

/** Sets or clears SCHEDULE-STATUS on the properties naming a recipient; true when anything changed. */
function mark(components: ICAL.Component[], on: 'attendee' | 'organizer', deliveries: Deliveries, directory: Directory): boolean {
  let changed = false;
  for (const component of components) {
    for (const property of component.getAllProperties(on)) {
      const delivered = deliveries.get(addressOf(property, directory).toLowerCase());
      if (delivered === undefined) continue;
      const current = property.getParameter('schedule-status');
      if (delivered && current !== undefined) {
        property.removeParameter('schedule-status');
        changed = true;
      } else if (!delivered && current !== UNDELIVERED) {
        property.setParameter('schedule-status', UNDELIVERED);
        changed = true;
      }
    }
  }
  return changed;
}
