import fc from 'fast-check';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { GatewayError, type GatewayErrorKind } from '../../src/model/errors.js';
import type { Command } from '../../src/wcap/command.js';
import type { PipelineDeps } from '../../src/wcap/run-command.js';
import { errorToErrno } from '../../src/wcap/error-mapping.js';
import { p } from '../../src/wcap/params.js';
import { RawParams } from '../../src/wcap/raw-params.js';
import type { Formatter, WcapResult } from '../../src/wcap/result.js';
import { runCommand } from '../../src/wcap/run-command.js';
import { WcapError } from '../../src/wcap/wcap-error.js';

const KINDS: GatewayErrorKind[] = ['unauthorized', 'forbidden', 'not-found', 'exists', 'changed', 'unavailable', 'backend', 'invalid'];

describe('errorToErrno', () => {
  it.each([
    [new WcapError(29, 'Calendar does not exist'), 29],
    [new WcapError(60, 'Invalid value for parameter attendees'), 60],
    [new WcapError(1, 'Login failed, session ID timed out or invalid'), 1],
  ])('a WcapError passes through: %s', (err, errno) => {
    expect(errorToErrno(err, 14)).toEqual({ errno, message: err.message, unexpected: false });
  });

  it.each<[GatewayErrorKind, number]>([
    ['unavailable', 11001],
    // A CalDAV 401 on a live session: errno 1 would make Lightning re-login forever
    // (docs/lightning.md#errno-1-and-re-login).
    ['unauthorized', 11007],
    ['forbidden', 28],
    ['exists', 63],
    ['invalid', 14],
    ['backend', 14],
    ['changed', 14],
    ['not-found', 14],
  ])('GatewayError %s → %i', (kind, errno) => {
    const outcome = errorToErrno(new GatewayError(kind, 'upstream said no', { status: 500 }), 14);
    expect(outcome.errno).toBe(errno);
    expect(outcome.unexpected).toBe(false);
    expect(outcome.message).not.toBe('');
  });

  it('names Redis, not the calendar back end, when the state store is down (errno stays 11001)', () => {
    const redis = errorToErrno(new GatewayError('unavailable', 'Redis unavailable while reading a session: ECONNREFUSED', { source: 'state-store' }), 9);
    expect(redis).toMatchObject({ errno: 11001, message: 'The gateway state store (Redis) cannot be reached', unexpected: false });
    const caldav = errorToErrno(new GatewayError('unavailable', 'connect ECONNREFUSED'), 9);
    expect(caldav).toMatchObject({ errno: 11001, message: 'The calendar back end cannot be reached' });
    // A login while Redis is down is not "wrong password".
    expect(errorToErrno(new GatewayError('unavailable', 'x', { source: 'state-store' }), 1).errno).toBe(11001);
  });

  it.each([
    ['storetodos', 15],
    ['fetchcomponents_by_range', 13],
    ['deleteevents_by_id', 6],
  ])('back-end failures take the failsWith of %s', (_name, failsWith) => {
    expect(errorToErrno(new GatewayError('backend', 'HTTP 502'), failsWith).errno).toBe(failsWith);
    expect(errorToErrno(new GatewayError('invalid', 'rejected'), failsWith).errno).toBe(failsWith);
  });

  it.each([
    ['an Error', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a string', 'boom'],
    ['undefined', undefined],
    ['an object that looks like a GatewayError', { kind: 'unavailable', message: 'x' }],
  ])('%s → failsWith, unexpected, generic message', (_label, err) => {
    const outcome = errorToErrno(err, 14);
    expect(outcome).toEqual({ errno: 14, message: 'Internal error', unexpected: true });
  });

  it('the back-end message of a backend failure is not shown (it may hold URLs of other users)', () => {
    const outcome = errorToErrno(new GatewayError('backend', 'PROPFIND http://radicale:5232/bob/ → 500'), 14);
    expect(outcome.message).not.toContain('radicale');
  });

  const anyError = fc.oneof(
    fc.tuple(fc.constantFrom(...KINDS), fc.string()).map(([kind, message]) => new GatewayError(kind, message) as unknown),
    fc.string().map((message) => new Error(message) as unknown),
    fc.anything(),
    fc.integer({ min: 0, max: 100 }).filter((n) => n !== 1).map((n) => new WcapError(n, 'x') as unknown),
  );

  it('property: nothing but a WcapError(1) maps to errno 1 (commands that fail with 2..100)', () => {
    fc.assert(
      fc.property(anyError, fc.integer({ min: 2, max: 100 }), (err, failsWith) => {
        expect(errorToErrno(err, failsWith).errno).not.toBe(1);
      }),
    );
  });

  // login.wcap declares failsWith 1 (src/commands/login.ts). errno 1 from login makes Lightning ask for the
  // password again (docs/lightning.md#errno-1-and-re-login): a CalDAV outage or a gateway bug is
  // not a wrong password.
  it.each<[string, unknown]>([
    ['GatewayError backend (CalDAV 500 while creating the default calendar)', new GatewayError('backend', 'HTTP 500')],
    ['an unexpected Error (a gateway bug)', new TypeError('x is undefined')],
  ])('login (failsWith 1): %s is not reported as errno 1', (_label, err) => {
    expect(errorToErrno(err, 1).errno).not.toBe(1);
  });
});

describe('runCommand renders what errorToErrno decided', () => {
  const formatter: Formatter = {
    name: 'text/test',
    render: (result: WcapResult) => ({ contentType: 'text/test', body: JSON.stringify(result.blocks) }),
  };
  const options = { formatterFor: (f: string | undefined) => (f === undefined || f === 'text/test' ? formatter : undefined), looksLikeSessionId: () => true };
  const deps = { limits: { maxParams: 1000, maxParamLength: 100_000, maxListItems: 1000, maxBodyBytes: 1_000_000 } } as unknown as PipelineDeps;
  const log = { info: () => undefined, error: () => undefined, warn: () => undefined } as unknown as Logger;
  const command = (run: () => Promise<WcapResult>): Command => ({ name: 'x', needsSession: false, failsWith: 14, params: { summary: p.text() }, run });
  const raw = (query: string) => {
    const r = new RawParams();
    r.addQueryString(query);
    return r;
  };

  it.each<[string, unknown, number]>([
    ['an unexpected error', new Error('bug'), 14],
    ['a back end that is down', new GatewayError('unavailable', 'ECONNREFUSED'), 11001],
    ['a back end refusing the session credentials', new GatewayError('unauthorized', '401'), 11007],
  ])('%s', async (_label, thrown, errno) => {
    const answer = await runCommand(command(() => Promise.reject(thrown)), raw('fmt-out=text%2Ftest'), deps, log, options);
    expect(answer.errno).toBe(errno);
    expect(JSON.parse(answer.body as string)[0].errno).toBe(errno);
  });

  it('a broken parameter → failsWith, the message names the parameter and not the value', async () => {
    const answer = await runCommand(command(() => Promise.resolve({ blocks: [] })), raw('summary=Secret%zz&fmt-out=text%2Ftest'), deps, log, options);
    expect(answer.errno).toBe(14);
    expect(answer.body).toContain('summary');
    expect(answer.body).not.toContain('Secret');
  });

  it('an unknown fmt-out → 58 in the default format, never echoed', async () => {
    const answer = await runCommand(command(() => Promise.resolve({ blocks: [] })), raw('fmt-out=%3Cscript%3E'), deps, log, options);
    expect(answer.errno).toBe(58);
    expect(answer.body).not.toContain('script');
  });
});
