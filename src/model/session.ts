/** What a login establishes and every later command of the session needs. */
export interface SessionData {
  /** Login name as typed by the user; also the CalDAV user name. */
  user: string;
  /** The CalDAV password. Held encrypted by every SessionStore, decrypted only in memory. */
  password: string;
  /** Absolute URL of the user's principal, discovered at login. */
  principalUrl: string;
  /** Absolute URL of the user's calendar home (ends with "/"), discovered at login. */
  calendarHomeUrl: string;
  /**
   * Absolute URL of the user's default calendar, settled at login (the server's
   * schedule-default-calendar-URL, else the configured calendar name in the home). Absent in
   * sessions from before it was recorded: then the configured name in the home.
   */
  defaultCalendarUrl?: string;
}

export interface Session extends SessionData {
  /** Epoch milliseconds of the login. */
  createdAt: number;
  /** Epoch milliseconds of the last successful lookup. */
  lastSeenAt: number;
}

/** The credentials the backend needs for one call; never logged. */
export interface BackendCredentials {
  user: string;
  password: string;
}
