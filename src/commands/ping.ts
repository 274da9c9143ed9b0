import { defineCommand } from '../wcap/command.js';
import { singleBlock } from '../wcap/result.js';

/** Liveness: errno 0 when the gateway answers (the 3.x HTML page is not reproduced). */
export default defineCommand({
  name: 'ping',
  needsSession: false,
  failsWith: 0,
  params: {},
  async run() {
    return singleBlock([]);
  },
});
