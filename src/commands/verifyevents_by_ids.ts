import { defineCommand } from '../wcap/command.js';
import { verifyByIds, verifyParams } from './shared/verify-by-ids.js';

export default defineCommand({
  name: 'verifyevents_by_ids',
  needsSession: true,
  failsWith: 9,
  params: verifyParams,
  run: (ctx) => verifyByIds(ctx, 'VEVENT', 9),
});
