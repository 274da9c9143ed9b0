import type { Command } from '../wcap/command.js';
import check_id from './check_id.js';
import deleteevents_by_id from './deleteevents_by_id.js';
import deletetodos_by_id from './deletetodos_by_id.js';
import fetchcomponents_by_range from './fetchcomponents_by_range.js';
import fetchevents_by_id from './fetchevents_by_id.js';
import fetchtodos_by_id from './fetchtodos_by_id.js';
import get_all_timezones from './get_all_timezones.js';
import get_calprops from './get_calprops.js';
import get_freebusy from './get_freebusy.js';
import get_guids from './get_guids.js';
import get_userprefs from './get_userprefs.js';
import gettime from './gettime.js';
import login from './login.js';
import logout from './logout.js';
import ping from './ping.js';
import storeevents from './storeevents.js';
import storetodos from './storetodos.js';
import version from './version.js';

/** Every implemented WCAP command, by name. Adding a command = one file + one line here. */
const COMMANDS: Command[] = [
  check_id,
  deleteevents_by_id,
  deletetodos_by_id,
  fetchcomponents_by_range,
  fetchevents_by_id,
  fetchtodos_by_id,
  get_all_timezones,
  get_calprops,
  get_freebusy,
  get_guids,
  get_userprefs,
  gettime,
  login,
  logout,
  ping,
  storeevents,
  storetodos,
  version,
] as Command[];

export const commandRegistry: ReadonlyMap<string, Command> = new Map(COMMANDS.map((c) => [c.name, c]));
