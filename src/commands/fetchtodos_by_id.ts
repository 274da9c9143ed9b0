import { defineCommand } from '../wcap/command.js';
import { fetchById, fetchByIdParams } from './shared/fetch-by-id.js';

export default defineCommand({
  name: 'fetchtodos_by_id',
  needsSession: true,
  failsWith: 17,
  params: fetchByIdParams,
  run: (ctx) => fetchById(ctx, 'VTODO', 17),
});
