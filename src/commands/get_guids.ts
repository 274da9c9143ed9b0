import { randomUUID } from 'node:crypto';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { p } from '../wcap/params.js';
import { singleBlock } from '../wcap/result.js';

/** `guidCount` fresh UIDs as X-NSCP-GUID0 … (iPlanet 3.x chapter; no session needed). */
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
