import type { Command } from '../wcap/command.js';
import addlink from './addlink.js';
import change_password from './change_password.js';
import check_id from './check_id.js';
import createcalendar from './createcalendar.js';
import deletecalendar from './deletecalendar.js';
import deletecomponents_by_range from './deletecomponents_by_range.js';
import deleteevents_by_range from './deleteevents_by_range.js';
import deletetodos_by_range from './deletetodos_by_range.js';
import deleteevents_by_id from './deleteevents_by_id.js';
import deletetodos_by_id from './deletetodos_by_id.js';
import exportCommand from './export.js';
import fetch_deletedcomponents from './fetch_deletedcomponents.js';
import fetchcomponents_by_alarmrange from './fetchcomponents_by_alarmrange.js';
import fetchcomponents_by_attendee_error from './fetchcomponents_by_attendee_error.js';
import fetchattachment from './fetchattachment.js';
import fetchcomponents_by_lastmod from './fetchcomponents_by_lastmod.js';
import fetchcomponents_by_range from './fetchcomponents_by_range.js';
import fetchevents_by_id from './fetchevents_by_id.js';
import fetchtodos_by_id from './fetchtodos_by_id.js';
import get_all_timezones from './get_all_timezones.js';
import get_calprops from './get_calprops.js';
import get_freebusy from './get_freebusy.js';
import get_guids from './get_guids.js';
import get_userprefs from './get_userprefs.js';
import gettime from './gettime.js';
import list from './list.js';
import list_subscribed from './list_subscribed.js';
import importCommand from './import.js';
import login from './login.js';
import logout from './logout.js';
import ping from './ping.js';
import search_calprops from './search_calprops.js';
import set_calprops from './set_calprops.js';
import set_userprefs from './set_userprefs.js';
import storeevents from './storeevents.js';
import storetodos from './storetodos.js';
import subscribe_calendars from './subscribe_calendars.js';
import unsubscribe_calendars from './unsubscribe_calendars.js';
import verifyevents_by_ids from './verifyevents_by_ids.js';
import verifytodos_by_ids from './verifytodos_by_ids.js';
import version from './version.js';

/** Every implemented WCAP command, by name. Adding a command = one file + one line here. */
const COMMANDS: Command[] = [
  addlink,
  change_password,
  check_id,
  createcalendar,
  deletecalendar,
  deletecomponents_by_range,
  deleteevents_by_range,
  deletetodos_by_range,
  deleteevents_by_id,
  deletetodos_by_id,
  exportCommand,
  fetch_deletedcomponents,
  fetchcomponents_by_alarmrange,
  fetchcomponents_by_attendee_error,
  fetchattachment,
  fetchcomponents_by_lastmod,
  fetchcomponents_by_range,
  fetchevents_by_id,
  fetchtodos_by_id,
  get_all_timezones,
  get_calprops,
  get_freebusy,
  get_guids,
  get_userprefs,
  gettime,
  list,
  list_subscribed,
  importCommand,
  login,
  logout,
  ping,
  search_calprops,
  set_calprops,
  set_userprefs,
  storeevents,
  storetodos,
  subscribe_calendars,
  unsubscribe_calendars,
  verifyevents_by_ids,
  verifytodos_by_ids,
  version,
] as Command[];

export const commandRegistry: ReadonlyMap<string, Command> = new Map(COMMANDS.map((c) => [c.name, c]));
