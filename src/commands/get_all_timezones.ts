import { allTimezoneIds, vtimezone } from '../mapping/timezones.js';
import { defineCommand } from '../wcap/command.js';
import { singleBlock } from '../wcap/result.js';

/** Every IANA zone as a VTIMEZONE whose TZID is the IANA name (lightning-client.md §4.5c). */
export default defineCommand({
  name: 'get_all_timezones',
  needsSession: true,
  failsWith: 24,
  params: {},
  async run() {
    return singleBlock([], allTimezoneIds().flatMap((tzid) => vtimezone(tzid) ?? []));
  },
});
