import { describe, expect, it } from 'vitest';
import { randomSecret, SecretBox, SecretBoxError } from '../../src/state/secret-box.js';

// Key derivation (scrypt) costs ~0.1 s per box: build them once.
const box = new SecretBox('unit-test-secret-0123456789');
const sameSecret = new SecretBox('unit-test-secret-0123456789');
const otherSecret = new SecretBox('unit-test-secret-0123456780');

/** The sealed string with one bit flipped in byte `index` of the decoded bytes. */
function flipBit(sealed: string, index: number): string {
  const bytes = Buffer.from(sealed, 'base64url');
  bytes[index] = bytes[index]! ^ 0x01;
  return bytes.toString('base64url');
}

describe('SecretBox', () => {
  it.each(['hunter2', '', 'pässwörd €😀', 'x'.repeat(10_000)])('round-trips %j', (text) => {
    expect(box.open(box.seal(text))).toBe(text);
  });

  it('opens with any box built from the same secret (another replica)', () => {
    expect(sameSecret.open(box.seal('shared'))).toBe('shared');
  });

  it('seals the same text differently every time and never shows it', () => {
    const a = box.seal('same password');
    const b = box.seal('same password');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(a).not.toContain('same password');
    expect(Buffer.from(a, 'base64url').toString('latin1')).not.toContain('same password');
  });

  it('refuses to open with another secret', () => {
    expect(() => otherSecret.open(box.seal('hunter2'))).toThrow(SecretBoxError);
  });

  it('during a rotation opens what either secret sealed, and seals with the new one only', () => {
    // Step 2 of the rotation in the README: the new secret seals, the old one is still accepted.
    const rotating = new SecretBox('unit-test-secret-0123456780', ['unit-test-secret-0123456789']);
    expect(rotating.open(box.seal('sealed before', 'ctx'), 'ctx')).toBe('sealed before');
    expect(rotating.open(otherSecret.seal('sealed after', 'ctx'), 'ctx')).toBe('sealed after');
    const sealedNow = rotating.seal('hunter2');
    expect(otherSecret.open(sealedNow)).toBe('hunter2');
    expect(() => box.open(sealedNow)).toThrow(SecretBoxError);
    // The accepted secret changes nothing about tampering or contexts.
    expect(() => rotating.open(box.seal('hunter2', 'ctx'), 'other')).toThrow(SecretBoxError);
    expect(() => new SecretBox('unit-test-secret-0123456780', ['short'])).toThrow(/16 characters/);
  });

  it.each([
    ['version', 0],
    ['IV', 5],
    ['tag', 20],
    ['ciphertext', 30],
  ])('detects a modified %s byte', (_part, index) => {
    const sealed = box.seal('hunter2-hunter2');
    expect(() => box.open(flipBit(sealed, index))).toThrow(SecretBoxError);
  });

  it('detects truncation, extension and garbage', () => {
    const sealed = box.seal('hunter2');
    const bytes = Buffer.from(sealed, 'base64url');
    expect(() => box.open(bytes.subarray(0, bytes.length - 1).toString('base64url'))).toThrow(SecretBoxError);
    expect(() => box.open(Buffer.concat([bytes, Buffer.from([0])]).toString('base64url'))).toThrow(SecretBoxError);
    expect(() => box.open('')).toThrow(SecretBoxError);
    expect(() => box.open('not base64url at all!')).toThrow(SecretBoxError);
    expect(() => box.open(`${sealed}$`)).toThrow(SecretBoxError);
  });

  it('binds a sealed value to its context', () => {
    const sealed = box.seal('hunter2', 'session:aaa');
    expect(box.open(sealed, 'session:aaa')).toBe('hunter2');
    expect(() => box.open(sealed, 'session:bbb')).toThrow(SecretBoxError);
    expect(() => box.open(sealed)).toThrow(SecretBoxError);
  });

  it('refuses secrets shorter than 16 characters', () => {
    expect(() => new SecretBox('fifteen-chars!!')).toThrow(/at least 16/);
  });

  it('generates random secrets long enough to use', () => {
    const a = randomSecret();
    expect(a.length).toBeGreaterThanOrEqual(16);
    expect(randomSecret()).not.toBe(a);
  });
});
