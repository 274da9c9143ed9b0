import { Errno } from '../wcap/errno.js';
import { storeCommand } from './storeevents.js';

/** storeevents for tasks. */
export default storeCommand('storetodos', 'VTODO', Errno.STORETODOS_FAILED);
