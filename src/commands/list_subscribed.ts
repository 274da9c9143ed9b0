import { listCommand } from './list.js';

/** See list.ts. */
export default listCommand('list_subscribed');
