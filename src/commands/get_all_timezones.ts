import { allTimezoneIds, vtimezone } from '../mapping/timezones.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { singleBlock } from '../wcap/result.js';

/** Every IANA zone as a VTIMEZONE whose TZID is the IANA name (docs/lightning.md#time-zone-list). */
export default defineCommand({
  name: 'get_all_timezones',
  needsSession: true,
  failsWith: Errno.GET_ALL_TIMEZONES_FAILED,
  params: {},
  async run() {
    return singleBlock([], allTimezoneIds().flatMap((tzid) => vtimezone(tzid) ?? []));
  },
});
