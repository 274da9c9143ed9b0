import { Errno } from '../wcap/errno.js';
import { fetchByIdCommand } from './fetchevents_by_id.js';

/** fetchevents_by_id for tasks. */
export default fetchByIdCommand('fetchtodos_by_id', 'VTODO', Errno.FETCH_TODOS_BY_ID_FAILED);
