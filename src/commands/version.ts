import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { singleBlock } from '../wcap/result.js';

/** WCAP 3.0 is what Sun Java System Calendar Server 6.3 spoke; Lightning requires ≥ 3. */
export const WCAP_VERSION = '3.0.0';
export const SERVER_VERSION = 'wcap-gateway 0.1.0';

export default defineCommand({
  name: 'version',
  needsSession: false,
  failsWith: Errno.OK,
  params: {},
  async run() {
    return singleBlock([
      { name: 'X-NSCP-WCAPVERSION', value: WCAP_VERSION },
      { name: 'X-NSCP-SERVERVERSION', value: SERVER_VERSION },
    ]);
  },
});
