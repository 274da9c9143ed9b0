import { describe, expect, it } from 'vitest';
import { countingFailures } from '../../src/observability/counting-failures.js';
import { hashedUser, logUserFormat } from '../../src/observability/log-user.js';
import { parsePrometheusText } from '../support/prometheus-text.js';

describe('logUserFormat', () => {
  const SECRET = 'a-secret-of-at-least-16-chars';
  it('hashes with the secret: 12 hex digits, stable, different per user and per secret', () => {
    const hashed = logUserFormat('hashed', SECRET);
    expect(hashed('alice')).toMatch(/^[0-9a-f]{12}$/);
    expect(hashed('alice')).toBe(hashedUser(SECRET, 'alice'));
    expect(hashed('alice')).not.toBe(hashed('bob'));
    expect(logUserFormat('hashed', `${SECRET}-other`)('alice')).not.toBe(hashed('alice'));
  });

  it('writes the name as is with on, and nothing with off', () => {
    expect(logUserFormat('on', SECRET)('alice')).toBe('alice');
    expect(logUserFormat('off', SECRET)('alice')).toBeUndefined();
  });
});

describe('countingFailures', () => {
  it('reports rejected and thrown calls, and passes results and failures through', async () => {
    let failures = 0;
    const store = countingFailures(
      {
        prefix: 'p:',
        async get(key: string) {
          return this.prefix + key;
        },
        async broken(): Promise<void> {
          throw new Error('Redis unavailable');
        },
        sync(): number {
          throw new Error('thrown');
        },
      },
      () => failures++,
    );
    expect(await store.get('a')).toBe('p:a');
    expect(store.prefix).toBe('p:');
    await expect(store.broken()).rejects.toThrow('Redis unavailable');
    expect(() => store.sync()).toThrow('thrown');
    expect(failures).toBe(2);
  });
});

describe('parsePrometheusText, the parser of the tests, is strict', () => {
  const valid = '# HELP x_total Things.\n# TYPE x_total counter\nx_total{a="1",b="q\\"uote"} 3\n';
  it('reads a valid exposition', () => {
    const m = parsePrometheusText(valid);
    expect(m.value('x_total', { a: '1', b: 'q"uote' })).toBe(3);
  });

  it.each([
    ['no final line feed', valid.trimEnd()],
    ['a sample of no declared family', `${valid}y 1\n`],
    ['a duplicate series', `${valid}x_total{b="q\\"uote",a="1"} 4\n`],
    ['a bad value', valid.replace(' 3\n', ' three\n')],
    ['an unterminated label value', valid.replace('"1"', '"1')],
    ['a bad escape', valid.replace('q\\"uote', 'q\\tuote')],
    ['a second TYPE', `${valid}# TYPE x_total gauge\n`],
    ['a bad metric name', valid.replace('\nx_total{', '\n1x{')],
  ])('refuses %s', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
