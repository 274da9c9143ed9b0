import vm from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsArray, jsString } from '../../src/output/js-string.js';

/** What a text/js page relies on (docs/wcap-protocol.md#javascript-output). */
describe('jsString', () => {
  const context = vm.createContext({});
  // Arrays are copied out of the context as JSON (lone surrogates survive as \\u escapes).
  const evaluate = (literal: string) => JSON.parse(vm.runInContext(`JSON.stringify(${literal})`, context) as string) as unknown;

  it.each([
    ['</script><script>alert(1)</script>'],
    ["it's \"quoted\""],
    ['back\\slash\\'],
    ['line\u2028para\u2029end'],
    ['nul\u0000bell\u0007del\u007fc1\u0085'],
    ['<!-- comment --> &amp;'],
    ['lone \uD800 high, lone \uDC00 low, pair 😀'],
    ['cr\r\nlf\ttab'],
  ])('%j evaluates to itself and holds nothing a page could act on', (value) => {
    const literal = jsString(value);
    expect(evaluate(literal)).toBe(value);
    expect(literal).not.toMatch(/[<>&\u2028\u2029\r\n\u0000-\u001F\u007F-\u009F]/);
    expect(literal).not.toMatch(/[\uD800-\uDFFF]/u);
  });

  it('any string: evaluates to itself, and only its closing quote ends the literal', () => {
    // Sampled values evaluated as one array: a literal that leaked out would shift or merge items.
    const values = fc.sample(fc.string({ unit: 'binary', maxLength: 40 }), { numRuns: 3000, seed: 7 });
    const literals = values.map(jsString);
    for (const literal of literals) expect(literal).not.toMatch(/[<>\u2028\u2029\r\n\u0000]/);
    expect(evaluate(`[${literals.join(', ')}]`)).toEqual(values);
  });

  it('jsArray builds a 3.x list', () => {
    expect(evaluate(jsArray(['a', "b'c", '</script>']))).toEqual(['a', "b'c", '</script>']);
    expect(jsArray([])).toBe('new Array()');
  });
});
