/**
 * The new server's calid for an old calendar: the default calendar stays the user's default, `user:name`
 * keeps its name, any other calid (Sun allowed free-form ones) becomes `user:<calid>` with
 * characters a path segment cannot hold replaced by `-`.
 */
export function targetCalid(old: { calid: string; isDefault: boolean }, user: string): string {
  if (old.isDefault || old.calid === user) return user;
  const name = old.calid.startsWith(`${user}:`) ? old.calid.slice(user.length + 1) : old.calid;
  const segment = name.replace(/[^A-Za-z0-9._@+-]/g, '-').replace(/^\.+$/, '-');
  return `${user}:${segment}`;
}
