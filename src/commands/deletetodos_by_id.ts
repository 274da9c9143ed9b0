import { defineCommand } from '../wcap/command.js';
import { deleteItems, deleteParams } from './shared/delete-items.js';

export default defineCommand({
  name: 'deletetodos_by_id',
  needsSession: true,
  failsWith: 16,
  params: deleteParams,
  run: (ctx) => deleteItems(ctx, 'VTODO', 16),
});
