import { defineCommand } from '../wcap/command.js';
import { fetchById, fetchByIdParams } from './shared/fetch-by-id.js';

export default defineCommand({
  name: 'fetchevents_by_id',
  needsSession: true,
  failsWith: 9,
  params: fetchByIdParams,
  run: (ctx) => fetchById(ctx, 'VEVENT', 9),
});
