import { defineCommand } from '../wcap/command.js';
import { verifyByIds, verifyParams } from './shared/verify-by-ids.js';

export default defineCommand({
  name: 'verifytodos_by_ids',
  needsSession: true,
  failsWith: 17,
  params: verifyParams,
  run: (ctx) => verifyByIds(ctx, 'VTODO', 17),
});
