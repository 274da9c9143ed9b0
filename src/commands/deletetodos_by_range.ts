import { Errno } from '../wcap/errno.js';
import { rangeDeleteCommand } from './deletecomponents_by_range.js';

/** deletecomponents_by_range for tasks only. */
export default rangeDeleteCommand('deletetodos_by_range', ['VTODO'], Errno.DELETETODOS_BY_RANGE_FAILED);
