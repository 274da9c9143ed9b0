import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { WcapError } from '../wcap/wcap-error.js';

/**
 * addlink (2.x/3.x, docs/wcap-protocol.md#addlink): always 12. Links between calendars were
 * withdrawn in WCAP 6.x and CalDAV has nothing like them; no client sends this command.
 */
export default defineCommand({
  name: 'addlink',
  needsSession: true,
  failsWith: Errno.ADDLINK_FAILED,
  params: {},
  async run() {
    throw new WcapError(Errno.ADDLINK_FAILED, 'addlink was withdrawn in WCAP 6.x and is not supported: store the event in the other calendar instead');
  },
});
