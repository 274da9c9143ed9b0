/**
 * The CalDAV servers the server-parameterized suites run against, as the global setup provides
 * them (plain data: it crosses from the setup process to the test workers). Adding a server is one
 * entry here (its kind and what it cannot do), its start in global-setup.ts, and — when it has
 * access rights — one case in test/support/server-access.ts.
 */
export type ServerKind = 'radicale' | 'cyrus' | 'xandikos';

/** What the server itself cannot do; tests needing it are left out for that server, by name. */
export interface ServerLimits {
  /** Accepts any credentials (so no login can fail, and everyone is one user). */
  noAuthentication?: boolean;
  /** Has no calendars of other users the gateway can address (one principal for everyone). */
  noOtherUsers?: boolean;
  /** Does not deliver invitations itself (RFC 6638 automatic scheduling). */
  noScheduling?: boolean;
  /** Answers 403 for a user that does not exist, as for one whose calendar is not shared (28, never 29). */
  hidesUnknownUsers?: boolean;
  /** Takes no WebDAV ACL (RFC 3744): set_calprops `acl` fails with errno 8 and changes nothing. */
  noWebDavAcl?: boolean;
  /** Stores no dead properties: no WCAP calendar settings, preferences or subscriptions on the server. */
  noDeadProperties?: boolean;
  /** Keeps no files apart from objects (no RFC 8607 managed attachments): the gateway stores them inline. */
  noManagedAttachments?: boolean;
}

export interface TestServer {
  /** Named in every test title, so a failure names the server. */
  name: string;
  kind: ServerKind;
  /** The URL the gateway is given (WCAP_CALDAV_URL). */
  url: string;
  limits: ServerLimits;
  /** The server's own default calendar of a user, relative to the user's calendar home. */
  defaultCalendar: string;
  /** Path of a user's calendar home on this server. */
  homePath: string;
  /** Radicale: its rights file. Cyrus: its IMAP port (ACLs are IMAP rights). */
  rightsFile?: string;
  imapPort?: number;
}

/** Users of the server-parameterized suite only, on every server (no other test file logs in as them). */
export const SERVER_SUITE_USERS: Record<string, string> = {
  wendy: 'wendy-server-suite-pw',
  victor: 'victor-server-suite-pw',
};

export const radicaleServer = (url: string, rightsFile: string): TestServer => ({
  name: 'Radicale',
  kind: 'radicale',
  url,
  limits: { noScheduling: true, hidesUnknownUsers: true, noWebDavAcl: true, noManagedAttachments: true },
  defaultCalendar: 'calendar',
  homePath: '/{user}/',
  rightsFile,
});

export const cyrusServer = (url: string, imapPort: number): TestServer => ({
  name: 'Cyrus',
  kind: 'cyrus',
  url,
  limits: {},
  defaultCalendar: 'Default',
  homePath: '/dav/calendars/user/{user}/',
  imapPort,
});

/**
 * Xandikos 0.2.8: no authentication and one principal (`/user/`) with one home for every request
 * (docs/caldav-servers.md#xandikos-028), and no scheduling. The suites get a Xandikos of their own,
 * so that its one home holds only what they write.
 */
export const xandikosServer = (url: string): TestServer => ({
  name: 'Xandikos',
  kind: 'xandikos',
  url,
  limits: { noAuthentication: true, noOtherUsers: true, noScheduling: true, noWebDavAcl: true, noDeadProperties: true, noManagedAttachments: true },
  defaultCalendar: 'calendar',
  homePath: '/user/calendars/',
});

/** Path of `user`'s calendar home on `server`. */
export const homeOf = (server: TestServer, user: string): string => server.homePath.replace('{user}', encodeURIComponent(user));
