import type { AccessEntry, AccessPrincipal, AccessRight } from '../model/calendar.js';

/**
 * WCAP access-control entries (ACE strings, docs/wcap-protocol.md#ace-strings) ⇄ the gateway's
 * access entries. An ACE is `who^what^how^grant`; an ACL joins ACEs with `;`.
 */

/** Most ACEs one ACL may hold, and the longest ACE: an ACL is a short list written by hand. */
export const MAX_ACES = 50;
const MAX_ACE_LENGTH = 300;

/** What `how` letters give, per `what` (components, properties). `l` (lookup) gives nothing here. */
const COMPONENT_RIGHTS: Record<string, AccessRight[]> = {
  r: ['read'],
  w: ['write'],
  d: ['delete'],
  f: ['free-busy'],
  s: ['schedule'],
  e: ['schedule'],
  i: ['schedule'],
  c: ['schedule'],
  z: ['administer'],
  l: [],
};
const PROPERTY_RIGHTS: Record<string, AccessRight[]> = { ...COMPONENT_RIGHTS, w: ['write-properties'], d: [] };

const USER = /^[A-Za-z0-9._+-]+(@[A-Za-z0-9.-]+)?$/;

/** An ACE that cannot be read (`reason` says why) or cannot be expressed as an access entry. */
export class AceError extends Error {}

/**
 * Reads an ACL strictly: every ACE must have four fields, a known who, `c`/`p`/`a`, letters from
 * `rwdsfleicz` (each once, any case) and `g` or `d`. Who values a CalDAV server cannot express
 * (`@@n` non-owners, `@@d` and `@domain`) are refused, not approximated. Throws AceError.
 */
export function parseAcl(text: string): AccessEntry[] {
  const aces = text.split(';').map((ace) => ace.trim()).filter((ace) => ace !== '');
  if (aces.length > MAX_ACES) throw new AceError(`more than ${MAX_ACES} ACEs`);
  return aces.map((ace, index) => parseAce(ace, `ACE ${index + 1}`));
}

function parseAce(ace: string, label: string): AccessEntry {
  if (ace.length > MAX_ACE_LENGTH) throw new AceError(`${label} is longer than ${MAX_ACE_LENGTH} characters`);
  const fields = ace.split('^');
  if (fields.length !== 4) throw new AceError(`${label} does not have the form who^what^how^grant`);
  const [who, what, how, grant] = fields as [string, string, string, string];
  const principal = principalOf(who, label);
  const table = { c: [COMPONENT_RIGHTS], p: [PROPERTY_RIGHTS], a: [COMPONENT_RIGHTS, PROPERTY_RIGHTS] }[what.toLowerCase()];
  if (!table) throw new AceError(`${label}: the second field must be c, p or a`);
  const letters = how.toLowerCase();
  if (!/^[rwdsfleicz]*$/.test(letters) || new Set(letters).size !== letters.length) {
    throw new AceError(`${label}: the third field must be letters from rwdsfleicz, each at most once`);
  }
  const g = grant.toLowerCase();
  if (g !== 'g' && g !== 'd') throw new AceError(`${label}: the fourth field must be g (grant) or d (deny)`);
  const rights = new Set<AccessRight>();
  for (const letter of letters) for (const rightsOf of table) for (const right of rightsOf[letter] ?? []) rights.add(right);
  return { principal, rights: RIGHT_ORDER.filter((r) => rights.has(r)), grant: g === 'g' };
}

function principalOf(who: string, label: string): AccessPrincipal {
  const value = who.toLowerCase();
  if (value === '@') return { kind: 'everyone' };
  if (value === '@@o' || value === '@@p') return { kind: 'owner' };
  if (value === '@@n' || value === '@@d' || (value.startsWith('@') && value.length > 1)) {
    throw new AceError(`${label}: non-owners (@@n) and domains (@@d, @domain) cannot be expressed on the CalDAV server`);
  }
  if (!USER.test(who)) throw new AceError(`${label}: the first field must be a user id, @, @@o or @@p`);
  return { kind: 'user', user: who };
}

const RIGHT_ORDER: readonly AccessRight[] = ['read', 'free-busy', 'write', 'delete', 'write-properties', 'schedule', 'administer'];

/**
 * The ACE strings that say what `user` may do with a calendar, from the rights the server reports
 * for them: `who^a^<r s f>^g` for reading, scheduling and free/busy, `who^c^<w d e i c>^g` for
 * writing, deleting and acting for the owner. `who` is `@@o` on the user's own calendars, else the
 * user. An owner with every right gets Sun's owner ACL (`@@o^a^rsf^g`, `@@o^c^wdeic^g`).
 */
export function effectiveAces(rights: readonly AccessRight[], who: string): string[] {
  const has = (right: AccessRight) => rights.includes(right);
  const all = `${has('read') ? 'r' : ''}${has('schedule') ? 's' : ''}${has('free-busy') ? 'f' : ''}`;
  const components = `${has('write') ? 'w' : ''}${has('delete') ? 'd' : ''}${has('schedule') ? 'eic' : ''}`;
  return [...(all ? [`${who}^a^${all}^g`] : []), ...(components ? [`${who}^c^${components}^g`] : [])];
}
