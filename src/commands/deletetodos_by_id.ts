import { Errno } from '../wcap/errno.js';
import { deleteCommand } from './deleteevents_by_id.js';

/** deleteevents_by_id for tasks. */
export default deleteCommand('deletetodos_by_id', 'VTODO', Errno.DELETE_TODOS_BY_ID_FAILED);
