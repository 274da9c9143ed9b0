import { defineCommand } from '../wcap/command.js';
import { deleteItems, deleteParams } from './shared/delete-items.js';

export default defineCommand({
  name: 'deleteevents_by_id',
  needsSession: true,
  failsWith: 6,
  params: deleteParams,
  run: (ctx) => deleteItems(ctx, 'VEVENT', 6),
});
