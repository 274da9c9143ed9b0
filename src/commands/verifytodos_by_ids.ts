import { Errno } from '../wcap/errno.js';
import { verifyCommand } from './verifyevents_by_ids.js';

/** verifyevents_by_ids for tasks. */
export default verifyCommand('verifytodos_by_ids', 'VTODO', Errno.FETCH_TODOS_BY_ID_FAILED);
