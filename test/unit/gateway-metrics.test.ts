import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../src/observability/metrics.js';
import { parsePrometheusText } from '../support/prometheus-text.js';

const scrape = async (metrics: GatewayMetrics) => parsePrometheusText(await metrics.render());

describe('GatewayMetrics', () => {
  it('asks the live session count on every scrape', async () => {
    let live = 3;
    const metrics = new GatewayMetrics({ liveSessions: async () => live, processMetrics: false });
    expect((await scrape(metrics)).value('wcap_sessions_live')).toBe(3);
    live = 0;
    expect((await scrape(metrics)).value('wcap_sessions_live')).toBe(0);
  });

  it('shows NaN, not a stale count, when counting fails, and still answers', async () => {
    let fail = false;
    const metrics = new GatewayMetrics({
      liveSessions: async () => {
        if (fail) throw new Error('Redis unavailable');
        return 7;
      },
      processMetrics: false,
    });
    expect((await scrape(metrics)).value('wcap_sessions_live')).toBe(7);
    fail = true;
    expect((await scrape(metrics)).value('wcap_sessions_live')).toBeNaN();
  });

  it('has no session gauge when nothing counts sessions', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    expect((await scrape(metrics)).families.has('wcap_sessions_live')).toBe(false);
  });

  it('labels CalDAV methods it does not know as other, and failed exchanges as error', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    metrics.caldavRequest('BREW', 418, 0.01);
    metrics.caldavRequest('REPORT', undefined, 15);
    const m = await scrape(metrics);
    expect(m.value('wcap_caldav_requests_total', { method: 'other', status: '418' })).toBe(1);
    expect(m.value('wcap_caldav_requests_total', { method: 'REPORT', status: 'error' })).toBe(1);
    expect(m.value('wcap_caldav_request_duration_seconds_bucket', { method: 'REPORT', le: '10' })).toBe(0);
    expect(m.value('wcap_caldav_request_duration_seconds_bucket', { method: 'REPORT', le: '30' })).toBe(1);
  });

  it('counts mails and Redis errors from zero', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    expect((await scrape(metrics)).value('wcap_redis_errors_total', { source: 'connection' })).toBe(0);
    metrics.redisError('connection');
    metrics.mail('failed');
    const m = await scrape(metrics);
    expect(m.value('wcap_redis_errors_total', { source: 'connection' })).toBe(1);
    expect(m.value('wcap_mails_total', { result: 'failed' })).toBe(1);
    expect(m.value('wcap_mails_total', { result: 'sent' })).toBe(0);
  });

  it('keeps the numbers of each gateway apart (tests run several in one process)', async () => {
    const a = new GatewayMetrics({ processMetrics: false });
    const b = new GatewayMetrics({ processMetrics: false });
    a.wcapRequest('login', 0, 0.1);
    expect((await scrape(a)).value('wcap_requests_total', { command: 'login', errno: '0' })).toBe(1);
    expect((await scrape(b)).value('wcap_requests_total', { command: 'login', errno: '0' })).toBeUndefined();
  });
});
