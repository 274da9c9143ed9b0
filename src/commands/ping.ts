import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { singleBlock } from '../wcap/result.js';

/** Liveness: errno 0 when the gateway answers (the 3.x HTML page is not reproduced). */
export default defineCommand({
  name: 'ping',
  needsSession: false,
  failsWith: Errno.OK,
  params: {},
  async run() {
    return singleBlock([]);
  },
});
