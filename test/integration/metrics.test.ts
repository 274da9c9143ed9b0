import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { parsePrometheusText, type Exposition } from '../support/prometheus-text.js';

/**
 * /metrics of a gateway in front of the real Radicale and Redis, read through a strict parser of
 * the Prometheus text format: the counters move exactly as the requests made, and no label value
 * names a user, a session or a calendar.
 */
const USER = 'frank';

describe('Prometheus metrics', () => {
  let h: Harness;
  let calid: string;
  let text = '';
  beforeAll(async () => {
    h = await startHarness();
    // A calendar no other test (or earlier run, through the shared Redis) has a snapshot of.
    const name = `metrics-${randomUUID()}`;
    calid = `${USER}:${name}`;
    const made = await h.radicale(USER, `/${USER}/${name}/`, { method: 'MKCALENDAR' });
    expect(made.status).toBe(201);
  });
  afterAll(() => h?.close());

  async function scrape(): Promise<Exposition> {
    const res = await fetch(new URL('metrics', h.gateway.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    text = await res.text();
    return parsePrometheusText(text);
  }

  const fetchCalendar = (id: string) =>
    h.wcap('fetchcomponents_by_range', `id=${id}&calid=${encodeURIComponent(calid)}&dtstart=0&dtend=0&component-type=event&fmt-out=text%2Fcalendar`);

  /** Per method, how many CalDAV requests the harness saw from index `from` on. */
  const requestsByMethod = (from: number) =>
    h.caldavRequests.slice(from).reduce<Record<string, number>>((counts, r) => ({ ...counts, [r.method]: (counts[r.method] ?? 0) + 1 }), {});

  /** Per method, the sum of wcap_caldav_requests_total over statuses. */
  const countedByMethod = (m: Exposition) =>
    m.samples
      .filter((s) => s.name === 'wcap_caldav_requests_total')
      .reduce<Record<string, number>>((counts, s) => ({ ...counts, [s.labels.method!]: (counts[s.labels.method!] ?? 0) + s.value }), {});

  const delta = (after: Record<string, number>, before: Record<string, number>) =>
    Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v !== 0));

  it('counts a login and a fetch by command and errno, with their latency', async () => {
    const before = await scrape();
    const login = (m: Exposition) => m.value('wcap_requests_total', { command: 'login', errno: '0' }) ?? 0;
    const fetches = (m: Exposition) => m.value('wcap_requests_total', { command: 'fetchcomponents_by_range', errno: '0' }) ?? 0;
    const id = await h.login(USER);
    expect((await fetchCalendar(id)).errno).toBe(0);
    const after = await scrape();
    expect(login(after) - login(before)).toBe(1);
    expect(fetches(after) - fetches(before)).toBe(1);
    const timed = (m: Exposition) => m.value('wcap_request_duration_seconds_count', { command: 'login' }) ?? 0;
    expect(timed(after) - timed(before)).toBe(1);
    expect(after.value('wcap_request_duration_seconds_bucket', { command: 'login', le: '+Inf' })).toBe(timed(after));
    expect(after.value('wcap_request_duration_seconds_sum', { command: 'login' })).toBeGreaterThan(0);
    expect(after.families.get('wcap_requests_total')?.type).toBe('counter');
    expect(after.families.get('wcap_request_duration_seconds')?.type).toBe('histogram');
  });

  it('counts an unknown command as (unknown) and a failed login by its errno', async () => {
    const before = await scrape();
    await h.wcap('no_such_command', 'fmt-out=text%2Fcalendar');
    await h.wcap('login', `fmt-out=text%2Fcalendar&user=${USER}&password=not-the-password`);
    const after = await scrape();
    const diff = (labels: Record<string, string>) => (after.value('wcap_requests_total', labels) ?? 0) - (before.value('wcap_requests_total', labels) ?? 0);
    expect(diff({ command: '(unknown)', errno: '52' })).toBe(1);
    expect(diff({ command: 'login', errno: '1' })).toBe(1);
    expect(after.samples.some((s) => s.labels.command === 'no_such_command')).toBe(false);
  });

  it('counts every CalDAV request by method and status, exactly as sent', async () => {
    await h.settled(); // nothing of an earlier test in flight
    const before = await scrape();
    const from = h.caldavRequests.length;
    const id = await h.login(USER);
    await fetchCalendar(id);
    await h.settled();
    const after = await scrape();
    const sent = requestsByMethod(from);
    expect(sent.PROPFIND).toBeGreaterThan(0);
    expect(delta(countedByMethod(after), countedByMethod(before))).toEqual(sent);
    // Radicale answered each: multistatus for PROPFIND and REPORT, none failed.
    expect(after.value('wcap_caldav_requests_total', { method: 'PROPFIND', status: '207' })).toBeGreaterThan(0);
    expect(after.samples.filter((s) => s.name === 'wcap_caldav_requests_total' && s.labels.status === 'error')).toEqual([]);
    expect(after.value('wcap_caldav_request_duration_seconds_count', { method: 'PROPFIND' })).toBe(countedByMethod(after).PROPFIND);
  });

  it('counts calendar cache misses until a snapshot exists, then hits', async () => {
    const id = await h.login(USER);
    const reads = (m: Exposition) => ({
      hit: m.value('wcap_calendar_cache_reads_total', { result: 'hit' })!,
      refreshed: m.value('wcap_calendar_cache_reads_total', { result: 'refreshed' })!,
      miss: m.value('wcap_calendar_cache_reads_total', { result: 'miss' })!,
    });
    const start = reads(await scrape());
    // The previous tests read this calendar already: its snapshot is being built or exists.
    // A calendar of its own for this test keeps the counts exact.
    const name = `cache-${randomUUID()}`;
    expect((await h.radicale(USER, `/${USER}/${name}/`, { method: 'MKCALENDAR' })).status).toBe(201);
    const read = () => h.wcap('fetchcomponents_by_range', `id=${id}&calid=${USER}:${name}&dtstart=0&dtend=0&component-type=event&fmt-out=text%2Fcalendar`);
    await read();
    await read();
    const cold = reads(await scrape());
    expect(cold).toEqual({ ...start, miss: start.miss + 2 });
    await h.settled();
    await read();
    const warm = reads(await scrape());
    expect(warm).toEqual({ ...cold, hit: cold.hit + 1 });
  });

  it('counts live sessions: one more after a login, back after its logout', async () => {
    const before = (await scrape()).value('wcap_sessions_live')!;
    const id = await h.login(USER);
    expect((await scrape()).value('wcap_sessions_live')).toBe(before + 1);
    await h.wcap('logout', `id=${id}`);
    expect((await scrape()).value('wcap_sessions_live')).toBe(before);
  });

  it('has mail counters (nothing sends mail yet) and the process metrics', async () => {
    const m = await scrape();
    expect(m.value('wcap_mails_total', { result: 'sent' })).toBe(0);
    expect(m.value('wcap_mails_total', { result: 'failed' })).toBe(0);
    expect(m.families.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(m.families.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
  });

  it('never uses a user name, session id or calid as a label value, and holds no password', async () => {
    const id = await h.login(USER);
    await fetchCalendar(id);
    await h.wcap('get_calprops', `id=${id}&calid=${encodeURIComponent(calid)}&fmt-out=text%2Fxml`);
    const m = await scrape();
    const values = new Set(m.samples.flatMap((s) => Object.values(s.labels)));
    for (const secret of [USER, id, calid, calid.split(':')[1]!, h.password(USER)]) expect(values.has(secret), secret).toBe(false);
    expect(text).not.toContain(id);
    expect(text).not.toContain(h.password(USER));
    expect(text).not.toContain(calid.split(':')[1]!);
    // Every label is one of the bounded sets.
    const labelNames = new Set(m.samples.filter((s) => s.name.startsWith('wcap_')).flatMap((s) => Object.keys(s.labels)));
    expect([...labelNames].sort()).toEqual(['command', 'errno', 'le', 'method', 'result', 'source', 'status']);
  });
});
