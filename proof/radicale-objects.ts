import ICAL from 'ical.js';
import { basicAuth, HttpClient } from './http-client.js';

/**
 * What a user's calendars hold on Radicale itself, read without the gateway: PROPFIND of the
 * calendar home and of each collection, then a GET of every object (RFC 4918 §9.1, RFC 4791 §5).
 */

export interface DirectObject {
  href: string;
  /** The calendar collection the object lies in. */
  collection: string;
  uid: string;
  /** Components of the object: the master and its exceptions. */
  components: Array<{ type: string; rid?: string; dtstart?: string; rrule?: string; exdates: string[] }>;
}

const PROPFIND_BODY = '<?xml version="1.0"?><propfind xmlns="DAV:"><prop><resourcetype/></prop></propfind>';

export async function directObjects(radicaleUrl: string, user: string, password: string): Promise<DirectObject[]> {
  const client = new HttpClient(radicaleUrl, 60_000, 8);
  const auth = { Authorization: basicAuth(user, password) };
  const base = new URL(radicaleUrl).pathname.replace(/\/$/, '');
  const children = async (path: string) => {
    const answer = await client.send({ method: 'PROPFIND', path, headers: { ...auth, Depth: '1', 'Content-Type': 'application/xml' }, body: PROPFIND_BODY });
    if (answer.status === 404) return [];
    if (answer.status !== 207) throw new Error(`PROPFIND ${path}: HTTP ${answer.status}`);
    return [...answer.body.matchAll(/<(?:[A-Za-z][\w.-]*:)?href>([^<]+)<\//g)].map((m) => m[1]!).filter((href) => href !== path);
  };
  try {
    const home = `${base}/${encodeURIComponent(user)}/`;
    const out: DirectObject[] = [];
    for (const collection of (await children(home)).filter((href) => href.endsWith('/'))) {
      const hrefs = (await children(collection)).filter((href) => !href.endsWith('/'));
      const objects = await Promise.all(
        hrefs.map(async (href) => {
          const answer = await client.send({ method: 'GET', path: href, headers: auth });
          if (answer.status !== 200) throw new Error(`GET ${href}: HTTP ${answer.status}`);
          return objectOf(href, collection, answer.body);
        }),
      );
      out.push(...objects);
    }
    return out;
  } finally {
    client.close();
  }
}

function objectOf(href: string, collection: string, text: string): DirectObject {
  const root = new ICAL.Component(ICAL.parse(text) as unknown[]);
  const items = [...root.getAllSubcomponents('vevent'), ...root.getAllSubcomponents('vtodo')];
  const value = (c: ICAL.Component, name: string) => c.getFirstProperty(name)?.toICALString().split(':').slice(1).join(':');
  const uids = new Set(items.map((c) => String(c.getFirstPropertyValue('uid'))));
  if (uids.size !== 1) throw new Error(`${href} holds ${uids.size} UIDs`);
  return {
    href,
    collection,
    uid: [...uids][0]!,
    components: items.map((c) => ({
      type: c.name.toUpperCase(),
      rid: value(c, 'recurrence-id'),
      dtstart: value(c, 'dtstart'),
      rrule: value(c, 'rrule'),
      exdates: c.getAllProperties('exdate').flatMap((p) => p.toICALString().split(':').slice(1).join(':').split(',')),
    })),
  };
}
