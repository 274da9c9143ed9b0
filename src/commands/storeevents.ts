import { defineCommand } from '../wcap/command.js';
import { storeItem } from './shared/store-item.js';
import { storeParams } from './shared/store-params.js';

export default defineCommand({
  name: 'storeevents',
  needsSession: true,
  failsWith: 14,
  params: storeParams,
  run: (ctx) => storeItem(ctx, 'VEVENT', 14),
});
