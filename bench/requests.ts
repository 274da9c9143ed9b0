import type http from 'node:http';
import { BenchError, timed, type RequestSpec } from './http.js';

/** The measured month (inside the fixture's 2020–2029 span; Europe/Berlin changes to CEST in it). */
export const MONTH = { label: '2025-03', start: '20250301T000000Z', end: '20250401T000000Z' };

const REPORT_BODY =
  '<?xml version="1.0" encoding="utf-8"?>' +
  '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">' +
  '<D:prop><D:getetag/><C:calendar-data/></D:prop>' +
  '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">' +
  `<C:time-range start="${MONTH.start}" end="${MONTH.end}"/>` +
  '</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>';

const enc = encodeURIComponent;

/**
 * The requests of the benchmark. WCAP queries are built the way Mozilla Lightning's WCAP provider
 * builds them (parameter order, calid last; see test/golden/lightning-requests.ts); the direct side
 * sends what a CalDAV client needs for the same data. `monthObjects` (what the direct REPORT of the
 * month returns) is checked on every answer of both sides.
 */
export class Requests {
  constructor(
    private readonly gatewayUrl: string,
    private readonly radicaleUrl: string,
    private readonly passwords: Readonly<Record<string, string>>,
    readonly monthObjects: number,
  ) {}

  login(user: string): RequestSpec {
    return {
      url: `${this.gatewayUrl}login.wcap?fmt-out=text%2Fcalendar&user=${enc(user)}&password=${enc(this.password(user))}`,
      check: { kind: 'wcap' },
    };
  }

  /** Lightning's getItems for one month of events (fetchcomponents_by_range, recurring=1: masters). */
  range(sid: string, user: string): RequestSpec {
    return {
      url:
        `${this.gatewayUrl}fetchcomponents_by_range.wcap?appid=mozilla-calendar&id=${sid}&relativealarm=1&compressed=1` +
        `&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar&component-type=event` +
        `&dtstart=${MONTH.start}&dtend=${MONTH.end}&calid=${enc(user)}`,
      check: { kind: 'wcap', events: this.monthObjects },
    };
  }

  /** Lightning's getItem (fetchevents_by_id). */
  byUid(sid: string, user: string, uid: string): RequestSpec {
    return {
      url:
        `${this.gatewayUrl}fetchevents_by_id.wcap?appid=mozilla-calendar&id=${sid}&relativealarm=1&compressed=1` +
        `&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar&uid=${enc(uid)}&calid=${enc(user)}`,
      check: { kind: 'wcap', events: 1, uid },
    };
  }

  gettime(sid: string): RequestSpec {
    return {
      url: `${this.gatewayUrl}gettime.wcap?appid=mozilla-calendar&id=${sid}&fmt-out=text%2Fcalendar`,
      check: { kind: 'wcap' },
    };
  }

  /** One calendar-query REPORT of the month: VEVENT, time-range, getetag + calendar-data. */
  report(user: string): RequestSpec {
    return {
      url: `${this.radicaleUrl}${enc(user)}/calendar/`,
      method: 'REPORT',
      headers: { ...this.auth(user), Depth: '1', 'Content-Type': 'application/xml; charset=utf-8' },
      body: REPORT_BODY,
      check: { kind: 'multistatus', responses: this.monthObjects },
    };
  }

  /** GET of one calendar object. */
  get(user: string, uid: string): RequestSpec {
    return {
      url: `${this.radicaleUrl}${enc(user)}/calendar/${enc(uid)}.ics`,
      headers: this.auth(user),
      check: { kind: 'ok', contains: `UID:${uid}` },
    };
  }

  /** Logs in through the gateway and returns the session id. */
  async session(agent: http.Agent, user: string): Promise<string> {
    const answer = await timed(agent, this.login(user));
    const id = /^X-NSCP-WCAP-SESSION-ID:(\w+)\r?$/m.exec(answer.body)?.[1];
    if (!id) throw new BenchError(`login of ${user} gave no session id`);
    return id;
  }

  private password(user: string): string {
    const password = this.passwords[user];
    if (password === undefined) throw new Error(`no password for ${user}`);
    return password;
  }

  private auth(user: string): Record<string, string> {
    return { Authorization: `Basic ${Buffer.from(`${user}:${this.password(user)}`).toString('base64')}` };
  }
}

