/**
 * The WCAP errno table (docs/wcap-protocol.md#errno-table), with the WCAP 7.0 additions
 * (docs/wcap-protocol.md#wcap-7-differences). Errnos travel in `X-NSCP-WCAP-ERRNO` with HTTP 200;
 * see docs/lightning.md#errors for what each one makes Lightning do.
 */

/** `[name, value, default English message]`, in numeric order. */
const ERRNO_TABLE = [
  ['LOGOUT', -1, 'Logout successful'],
  ['OK', 0, 'Command successful'],
  ['LOGIN_FAILED', 1, 'Login failed, session ID timed out or invalid'],
  ['LOGIN_OK_DEFAULT_CALENDAR_NOT_FOUND', 2, 'Login successful, default calendar not found and created'],
  ['DELETE_EVENTS_BY_ID_FAILED', 6, 'Delete events by ID failed'],
  ['SETCALPROPS_FAILED', 8, 'Setting calendar properties failed'],
  ['FETCH_EVENTS_BY_ID_FAILED', 9, 'Fetch events by ID failed'],
  ['CREATECALENDAR_FAILED', 10, 'Creating the calendar failed'],
  ['DELETECALENDAR_FAILED', 11, 'Deleting the calendar failed'],
  ['ADDLINK_FAILED', 12, 'Adding the link failed'],
  ['FETCHBYDATERANGE_FAILED', 13, 'Fetch by date range failed'],
  ['STOREEVENTS_FAILED', 14, 'Storing the event failed'],
  ['STORETODOS_FAILED', 15, 'Storing the todo failed'],
  ['DELETE_TODOS_BY_ID_FAILED', 16, 'Delete todos by ID failed'],
  ['FETCH_TODOS_BY_ID_FAILED', 17, 'Fetch todos by ID failed'],
  ['FETCHCOMPONENTS_FAILED_BAD_TZID', 18, 'Fetch failed: bad time zone ID'],
  ['SEARCH_CALPROPS_FAILED', 19, 'Calendar search failed'],
  ['GET_CALPROPS_FAILED', 20, 'Getting calendar properties failed'],
  ['DELETECOMPONENTS_BY_RANGE_FAILED', 21, 'Delete components by range failed'],
  ['DELETEEVENTS_BY_RANGE_FAILED', 22, 'Delete events by range failed'],
  ['DELETETODOS_BY_RANGE_FAILED', 23, 'Delete todos by range failed'],
  ['GET_ALL_TIMEZONES_FAILED', 24, 'Getting the time zones failed'],
  ['CREATECALENDAR_ALREADY_EXISTS_FAILED', 25, 'A calendar with that name already exists'],
  ['SET_USERPREFS_FAILED', 26, 'Setting user preferences failed'],
  ['CHANGE_PASSWORD_FAILED', 27, 'Changing the password failed'],
  ['ACCESS_DENIED_TO_CALENDAR', 28, 'Access to the calendar denied'],
  ['CALENDAR_DOES_NOT_EXIST', 29, 'The calendar does not exist'],
  ['ILLEGAL_CALID_NAME', 30, 'Illegal calendar ID'],
  ['CANNOT_MODIFY_LINKED_EVENTS', 31, 'Linked events cannot be modified'],
  ['CANNOT_MODIFY_LINKED_TODOS', 32, 'Linked todos cannot be modified'],
  ['CANNOT_SENT_EMAIL', 33, 'Sending the notification e-mail failed'],
  ['CALENDAR_DISABLED', 34, 'The calendar is disabled'],
  ['WRITE_IMPORT_FAILED', 35, 'Import failed'],
  ['FETCH_BY_LAST_MODIFIED_FAILED', 36, 'Fetch by last modification failed'],
  ['CAPI_NOT_SUPPORTED', 37, 'Unsupported calendar data format'],
  ['CALID_NOT_SPECIFIED', 38, 'Calendar ID not specified'],
  ['GET_FREEBUSY_FAILED', 39, 'Getting free/busy information failed'],
  ['STORE_FAILED_DOUBLE_BOOKED', 40, 'Time slot already booked and double booking is not allowed'],
  ['FETCH_BY_ALARM_RANGE_FAILED', 41, 'Fetch by alarm range failed'],
  ['FETCH_BY_ATTENDEE_ERROR_FAILED', 42, 'Fetch by attendee error failed'],
  ['ATTENDEE_GROUP_EXPANSION_CLIPPED', 43, 'Attendee group too large, expansion clipped'],
  ['USERPREFS_ACCESS_DENIED', 44, 'Access to user preferences denied'],
  ['NOT_ALLOWED_TO_REQUEST_PUBLISH', 45, 'Only the organizer may publish or request'],
  ['INSUFFICIENT_PARAMETERS', 46, 'Insufficient parameters'],
  ['MUSTBEOWNER_OPERATION', 47, 'Operation requires calendar ownership'],
  ['DWP_CONNECTION_FAILED', 48, 'Back-end connection failed'],
  ['DWP_MAX_CONNECTION_REACHED', 49, 'Back-end connection limit reached'],
  ['DWP_CANNOT_RESOLVE_CALENDAR', 50, 'Back-end cannot resolve the calendar'],
  ['DWP_BAD_DATA', 51, 'Back-end returned bad data'],
  ['BAD_COMMAND', 52, 'Unknown command'],
  ['NOT_FOUND', 53, 'Internal write error'],
  ['WRITE_IMPORT_CANT_EXPAND_CALID', 54, 'Import failed: cannot expand calendar ID'],
  ['GETTIME_FAILED', 55, 'Getting the server time failed'],
  ['FETCH_DELETEDCOMPONENTS_FAILED', 56, 'Fetching deleted components failed'],
  ['FETCH_DELETEDCOMPONENTS_PARTIAL_RESULT', 57, 'Deleted components fetched partially'],
  ['WCAP_NO_SUCH_FORMAT', 58, 'No such output format'],
  ['COMPONENT_NOT_FOUND', 59, 'Component not found'],
  ['BAD_ARGUMENTS', 60, 'Invalid arguments'],
  ['GET_USERPREFS_FAILED', 61, 'Getting user preferences failed'],
  ['WCAP_MODIFY_NO_EVENT', 62, 'Modify failed: the item does not exist'],
  ['WCAP_CREATE_EXISTS', 63, 'Create failed: the item already exists'],
  ['WCAP_MODIFY_CANT_MAKE_COPY', 64, 'Modify failed: cannot make a copy'],
  ['STORE_FAILED_RECUR_SKIP', 65, 'An instance would skip over another instance'],
  ['STORE_FAILED_RECUR_SAMEDAY', 66, 'Two instances would fall on the same day'],
  ['BAD_ORG_ARGUMENTS', 67, 'Invalid organizer arguments'],
  ['STORE_FAILED_RECUR_PRIVACY', 68, 'Privacy or transparency cannot differ for one instance'],
  ['LDAP_ERROR', 69, 'Directory error'],
  ['GET_INVITE_COUNT_FAILED', 70, 'Getting the invitation count failed'],
  ['LIST_FAILED', 71, 'Listing calendars failed'],
  ['LIST_SUBSCRIBED_FAILED', 72, 'Listing subscribed calendars failed'],
  ['SUBSCRIBE_FAILED', 73, 'Subscribing failed'],
  ['UNSUBSCRIBE_FAILED', 74, 'Unsubscribing failed'],
  ['ANONYMOUS_NOT_ALLOWED', 75, 'Not allowed for anonymous users'],
  ['ACCESS_DENIED', 76, 'Access denied'],
  ['BAD_IMPORT_ARGUMENTS', 77, 'Invalid import arguments'],
  ['READONLY_DATABASE', 78, 'Read-only database, or some items were not imported'],
  ['ATTENDEE_NOT_ALLOWED_TO_REQUEST_ON_MODIFY', 79, 'Attendees may not send requests on modify'],
  ['TRANSP_RESOURCE_NOT_ALLOWED', 80, 'Transparent resource bookings are not allowed'],
  ['RECURRING_COMPONENT_NOT_FOUND', 81, 'Part of the recurring series not found'],
  ['BAD_MIME_TYPE', 82, 'Malformed attachment MIME headers'],
  ['MISSING_BOUNDARY', 83, 'Missing MIME boundary'],
  ['INVALID_ATTACHMENT', 84, 'Invalid attachment'],
  ['ATTACH_DELETE_SUCCESS', 85, 'All attachments deleted'],
  ['ATTACH_DELETE_PARTIAL', 86, 'Some attachments deleted'],
  ['ATTACHMENT_NOT_FOUND', 87, 'Attachment not found'],
  ['BAD_SEARCH_STRING_LENGTH', 88, 'Search string too short'],
  ['SET_ACCOUNTPROPS_FAILED', 89, 'Setting account properties failed'],
  ['GET_ACCOUNTPROPS_FAILED', 90, 'Getting account properties failed'],
  ['GET_FREEBUSY_EXTERNAL_FAILED', 91, 'Getting external free/busy information failed'],
  ['STOREEVENTS_WITH_ATTACHMENT_FAILED', 92, 'Storing the event with attachment failed'],
  ['GET_ACCOUNTPROPS_NOT_FOUND', 93, 'Account not found'],
  ['GET_ACCOUNTPROPS_NO_CALENDAR', 94, 'Calendar for account not found'],
  ['FETCH_COMPONENTS_BY_LAST_MOD_INVALID_SYNC_TOKEN_FAILED', 99, 'Invalid sync token'],
  ['VIRUS_DETECTED', 100, 'Attachment rejected: virus detected'],
  ['VIRUS_DETECTION_SERVICE_FAILURE', 101, 'Attachment rejected: virus scanning unavailable'],
  ['CDWP_ERR_MAX_CONNECTION_REACHED', 11000, 'Back-end connection limit reached'],
  ['CDWP_ERR_CANNOT_CONNECT', 11001, 'Cannot connect to the calendar back end'],
  ['CDWP_ERR_CANNOT_RESOLVE_CALENDAR', 11002, 'Back end cannot resolve the calendar'],
  ['CDWP_ERR_BAD_DATA', 11003, 'Back end returned bad data'],
  ['CDWP_ERR_DWPHOST_CTX_DOES_NOT_EXIST', 11004, 'Back-end host context does not exist'],
  ['CDWP_ERR_HOSTNAME_NOT_RESOLVABLE', 11005, 'Back-end host name not resolvable'],
  ['CDWP_ERR_NO_DATA', 11006, 'Back end returned no data'],
  ['CDWP_ERR_AUTH_FAILED', 11007, 'Back-end authentication failed'],
  ['CDWP_ERR_CHECKVERSION_FAILED', 11008, 'Back-end version check failed'],
] as const;

type ErrnoTable = typeof ERRNO_TABLE;

/** Symbolic name of a WCAP errno (`LOGIN_FAILED`, `CDWP_ERR_CANNOT_CONNECT` …). */
export type ErrnoName = ErrnoTable[number][0] | 'IMPORT_FAILURE' | 'UNKNOWN_INTERNAL_ERROR';

/** Name → numeric errno, e.g. `Errno.LOGIN_FAILED === 1`, `Errno.CDWP_ERR_CANNOT_CONNECT === 11001`. */
export type ErrnoMap = { readonly [E in ErrnoTable[number] as E[0]]: E[1] } & {
  /** WCAP 7.0 name of 78 (some items were not imported); 6.x calls it READONLY_DATABASE. */
  readonly IMPORT_FAILURE: 78;
  /** WCAP 7.0 reuses −1 for "unknown internal server error" (never a success outside logout). */
  readonly UNKNOWN_INTERNAL_ERROR: -1;
};

/** Any errno value listed in the table. */
export type ErrnoValue = ErrnoMap[keyof ErrnoMap];

/**
 * The WCAP errno table as constants. −1 is a success only for logout.wcap (Lightning expects it
 * there and treats it as an error elsewhere); 7.0 reuses −1 for "unknown internal error", which
 * the gateway sends only for a failed login that is not a credentials problem. 3–5, 7 and 95–98 are unassigned.
 */
export const Errno: ErrnoMap = Object.freeze({
  ...Object.fromEntries(ERRNO_TABLE.map(([name, value]) => [name, value])),
  IMPORT_FAILURE: 78,
  UNKNOWN_INTERNAL_ERROR: -1,
}) as ErrnoMap;

const MESSAGES: ReadonlyMap<number, string> = new Map(ERRNO_TABLE.map(([, value, message]) => [value, message]));

/**
 * Short English default text for an errno, for `X-NSCP-WCAP-ERRNO-MESSAGE` and logs.
 * Never throws: an errno outside the table gives `"Unknown error <n>"`.
 */
export function errnoMessage(errno: number): string {
  return MESSAGES.get(errno) ?? `Unknown error ${errno}`;
}

/** True for the two success values: 0 (every command) and −1 (logout.wcap). */
export function isSuccessErrno(errno: number): boolean {
  return errno === Errno.OK || errno === Errno.LOGOUT;
}
