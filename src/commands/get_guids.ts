import { randomUUID } from 'node:crypto';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { p } from '../wcap/params.js';
import { singleBlock } from '../wcap/result.js';

/**
 * `guidCount` fresh UIDs as X-NSCP-GUID0 …; no session needed (docs/wcap-protocol.md#get_guids,
 * from the iPlanet WCAP chapter: https://docs.oracle.com/cd/E19207-01/816-5481-10/wcap.htm).
 */
export default defineCommand({
  name: 'get_guids',
  needsSession: false,
  failsWith: Errno.BAD_ARGUMENTS,
  params: { guidCount: p.int({ min: 1, max: 1000, fallback: 1 }) },
  async run({ params }) {
    const count = params.guidCount ?? 1;
    return singleBlock(Array.from({ length: count }, (_, i) => ({ name: `X-NSCP-GUID${i}`, value: randomUUID() })));
  },
});
