import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { buildGoldenGateway, lightningErrno, parseIcs, xmlErrno } from '../support/golden-gateway.js';
import { parseXml } from '../support/parse-xml.js';

/**
 * A fault outside the command pipeline (here: reading the request's bounds fails) still gets a
 * WCAP answer with HTTP 200 in the format the request asked for: Lightning reads any other status
 * as a transport failure (docs/lightning.md#http-status-and-caching).
 */
describe('faults outside the pipeline', () => {
  const brokenApp = () => {
    const { deps } = buildGoldenGateway();
    const broken = Object.create(deps, {
      limits: {
        get() {
          throw new Error('configuration unreadable');
        },
      },
    });
    return createApp(broken, { logger: createLogger('silent') });
  };

  it('answers errno -1 as text/calendar by default', async () => {
    const res = await brokenApp().request('http://wcap.test/gettime.wcap?id=x', { headers: { 'X-Request-Id': 'req-7' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-7');
    expect(res.headers.get('content-type')).toContain('text/calendar');
    expect(lightningErrno(parseIcs(await res.text())[0]!)).toBe(-1);
  });

  it('answers in text/xml when the request asks for it', async () => {
    const res = await brokenApp().request('http://wcap.test/gettime.wcap?id=x&fmt-out=text%2Fxml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/xml');
    expect(xmlErrno(parseXml(await res.text()).root)).toBe(-1);
  });
});
