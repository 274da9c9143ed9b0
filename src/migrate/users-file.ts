/**
 * The users file of `wcap-gateway migrate`: who to migrate and with which passwords. One user a
 * line, in either form:
 *
 *   user<TAB>password[<TAB>new-server-password]
 *   user:password
 *
 * A line holding a TAB is split at TABs (passwords may then contain `:`); any other line at its
 * first `:` (the password may contain further `:`). The third column is the user's password on the
 * new CalDAV server when it differs from the old one. Blank lines and lines starting with `#` are
 * skipped. With an admin proxy login (`--proxy-admin`) a line may hold just the user name; its
 * password, if any, is then only the new server's.
 */

export interface MigrationUser {
  user: string;
  /** Password on the old WCAP server (absent in proxy mode). */
  oldPassword?: string;
  /** Password on the new CalDAV server. */
  newPassword?: string;
}

/** Bounds of the file: it is read whole. */
export const USERS_FILE_LIMITS = { maxBytes: 1024 * 1024, maxUsers: 10_000, maxFieldLength: 1024 } as const;

/** A user name the migration accepts: one path segment on the new server. */
export const USER_NAME = /^[A-Za-z0-9._@+-]+$/;

export class UsersFileError extends Error {
  override readonly name = 'UsersFileError';
}

/**
 * Parses the file's text. `passwordsRequired` (no proxy login): every line needs an old-server
 * password. Errors name the line number, never its content (it holds passwords).
 */
export function parseUsersFile(text: string, options: { passwordsRequired: boolean }): MigrationUser[] {
  if (Buffer.byteLength(text, 'utf8') > USERS_FILE_LIMITS.maxBytes) {
    throw new UsersFileError(`the users file is larger than ${USERS_FILE_LIMITS.maxBytes} bytes`);
  }
  const users: MigrationUser[] = [];
  const seen = new Set<string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim() === '' ? '' : raw.replace(/\r$/, '');
    if (line === '' || line.trimStart().startsWith('#')) return;
    const where = `users file line ${index + 1}`;
    const fields = fieldsOf(line);
    const [user = '', oldPassword = '', newPassword = ''] = fields.map((f, i) => (i === 0 ? f.trim() : f));
    if (fields.length > 3) throw new UsersFileError(`${where}: more than three columns`);
    if (fields.some((f) => f.length > USERS_FILE_LIMITS.maxFieldLength)) throw new UsersFileError(`${where}: a column is longer than ${USERS_FILE_LIMITS.maxFieldLength} characters`);
    if (!USER_NAME.test(user)) throw new UsersFileError(`${where}: the user name is empty or holds characters other than letters, digits and . _ @ + -`);
    if (options.passwordsRequired && oldPassword === '') throw new UsersFileError(`${where}: no password for ${user}`);
    if (seen.has(user)) throw new UsersFileError(`${where}: ${user} is listed twice`);
    seen.add(user);
    if (users.length >= USERS_FILE_LIMITS.maxUsers) throw new UsersFileError(`the users file lists more than ${USERS_FILE_LIMITS.maxUsers} users`);
    users.push(entryOf(user, oldPassword, newPassword, options.passwordsRequired));
  });
  if (users.length === 0) throw new UsersFileError('the users file lists no user');
  return users;
}

function fieldsOf(line: string): string[] {
  if (line.includes('\t')) return line.split('\t');
  const colon = line.indexOf(':');
  return colon < 0 ? [line] : [line.slice(0, colon), line.slice(colon + 1)];
}

function entryOf(user: string, oldPassword: string, newPassword: string, passwordsRequired: boolean): MigrationUser {
  if (!passwordsRequired) {
    // Proxy mode: the old server is reached as the admin; the only password is the new server's.
    const password = newPassword || oldPassword;
    return password ? { user, newPassword: password } : { user };
  }
  return { user, oldPassword, newPassword: newPassword || oldPassword };
}
