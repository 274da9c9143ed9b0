import type { CalendarInfo } from '../model/calendar.js';
import type { BackendCredentials } from '../model/session.js';
import { isCalendarCollection, toCalendarInfo } from './calendar-props.js';
import { readMultistatus } from './dav-answers.js';
import { CALENDAR_PROPS, XML_CONTENT_TYPE, propfindBody, type ContentTagProperty } from './dav-bodies.js';
import { pathOf, type DavTransport } from './dav-transport.js';
import { CALSERVER_NS, DAV_NS, clark, propText, succeeded, type DavResponse } from './multistatus.js';
import { withSlash } from './object-urls.js';

/** How a collection's content version is read: 'tag' (any server) or 'last-modified' (Radicale's files). */
export type ContentVersion = 'tag' | 'last-modified';

/**
 * A collection's last-modified time names its state only once it is this much older than the
 * server's clock: HTTP dates have whole seconds, so two changes in one second share a value.
 */
const LAST_MODIFIED_SETTLED_MS = 2000;

/**
 * Reads a calendar collection's properties with one Depth 0 PROPFIND, plus — when asked — its
 * content version, the calendar cache's validator:
 * - 'tag': the collection's getctag, else its sync-token. Which one the server has is learnt from
 *   its first answer (getctag is asked first: on Radicale 3.1.8 it costs less than sync-token,
 *   docs/caldav-servers.md#cost-table); a server with neither gets no version.
 * - 'last-modified': the collection's getlastmodified, as long as it is settled (older than the
 *   server's own Date by LAST_MODIFIED_SETTLED_MS), else the tag as above. Radicale's file storage
 *   computes it from file times (every item written, deleted or renamed, every property change
 *   moves it) for a fraction of what getctag costs; servers whose collection last-modified does not
 *   follow their members must not use it.
 */
export class CollectionReader {
  private tagProperty: ContentTagProperty | 'none' | undefined;

  constructor(
    private readonly http: DavTransport,
    private readonly contentVersion: ContentVersion,
  ) {}

  /** The calendar at `url`, or null when it does not exist or is not a calendar. */
  async read(credentials: BackendCredentials, url: string, withVersion: boolean): Promise<CalendarInfo | null> {
    const target = withSlash(url);
    if (withVersion && this.contentVersion === 'last-modified') {
      const read = await this.propfind(credentials, target, 'D:getlastmodified');
      if (!read || !isCalendarCollection(read.response)) return null;
      const lastModified = Date.parse(propText(read.response, DAV_NS, 'getlastmodified') ?? '');
      if (lastModified <= read.date - LAST_MODIFIED_SETTLED_MS) {
        return { ...toCalendarInfo(read.response, target, target), contentTag: `mtime:${lastModified}` };
      }
    }
    const own = (await this.propfind(credentials, target, withVersion ? (this.tagProperty ?? 'CS:getctag') : 'none'))?.response;
    if (!own || !isCalendarCollection(own)) return null;
    if (withVersion && this.tagProperty === undefined) {
      if (own.props.has(clark(CALSERVER_NS, 'getctag'))) this.tagProperty = 'CS:getctag';
      else {
        const again = (await this.propfind(credentials, target, 'D:sync-token'))?.response;
        this.tagProperty = again?.props.has(clark(DAV_NS, 'sync-token')) ? 'D:sync-token' : 'none';
        return again && isCalendarCollection(again) ? toCalendarInfo(again, target, target) : null;
      }
    }
    return toCalendarInfo(own, target, target);
  }

  /**
   * Depth 0 PROPFIND of the calendar properties plus one more; null when the collection does not
   * exist. `date` is the server's clock from the answer's Date header (NaN without one).
   */
  private async propfind(
    credentials: BackendCredentials,
    target: string,
    extra: ContentTagProperty | 'D:getlastmodified' | 'none',
  ): Promise<{ response: DavResponse; date: number } | null> {
    const answer = await this.http.request(credentials, 'PROPFIND', target, {
      headers: { Depth: '0', 'Content-Type': XML_CONTENT_TYPE },
      body: propfindBody(extra === 'none' ? CALENDAR_PROPS : [...CALENDAR_PROPS, extra]),
    });
    if (answer.status === 404 || answer.status === 410) return null;
    const response = readMultistatus(answer, `PROPFIND ${pathOf(target)}`, credentials).find(succeeded);
    return response ? { response, date: Date.parse(answer.headers.get('date') ?? '') } : null;
  }
}
