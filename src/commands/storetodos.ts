import { defineCommand } from '../wcap/command.js';
import { storeItem } from './shared/store-item.js';
import { storeParams } from './shared/store-params.js';

export default defineCommand({
  name: 'storetodos',
  needsSession: true,
  failsWith: 15,
  params: storeParams,
  run: (ctx) => storeItem(ctx, 'VTODO', 15),
});
