import { Errno } from '../wcap/errno.js';
import { rangeDeleteCommand } from './deletecomponents_by_range.js';

/** deletecomponents_by_range for events only. */
export default rangeDeleteCommand('deleteevents_by_range', ['VEVENT'], Errno.DELETEEVENTS_BY_RANGE_FAILED);
