import vm from 'node:vm';
import { expect } from 'vitest';

/**
 * Loads a text/js answer the way a browser frame would run it, in a fresh node:vm context: the
 * page must be exactly `<html><head><script>…</script></head></html>`, and the script must hold no
 * `<` at all (so no value can close the script or open a comment), run without error and call
 * the parent frame's callback at most once. Returns the page's global variables, copied out of the
 * context with structuredClone (E, T, CP and X objects become plain objects, dates stay dates).
 */
export interface JsAnswer {
  vars: Record<string, unknown>;
  /** Names of the parent-frame callbacks the page called, with the argument. */
  callbacks: Array<[name: string, argument: unknown]>;
}

const PAGE = /^<html><head><script>\n([\s\S]*)\n<\/script><\/head><\/html>\n$/;
const VARIABLES = ['id', 'userid', 'calid', 'errno', 'errstr', 'layer_errno', 'layerid', 'calprops', 'xprops', 'data', 'event', 'eventD', 'todo', 'timezoneList', 'size', 'sizeD', 'todosize', 'wcapversion', 'guid', 'status_types'];

export function loadJsAnswer(body: string): JsAnswer {
  const match = PAGE.exec(body);
  expect(match, 'a text/js page').not.toBeNull();
  const script = match![1]!;
  expect(script).not.toContain('<');
  const callbacks: Array<[string, unknown]> = [];
  const parent = new Proxy({}, {
    get: (_target, name) => (typeof name === 'string' && /^Cal\w+Callback$/.test(name) ? (arg: unknown) => callbacks.push([name, arg]) : undefined),
  });
  const context = vm.createContext({ parent, window: { name: 'wcap-frame' } });
  vm.runInContext(script, context, { timeout: 1000 });
  expect(callbacks.length).toBeLessThanOrEqual(1);
  const vars: Record<string, unknown> = {};
  for (const name of VARIABLES) {
    const value = vm.runInContext(`typeof ${name} == 'undefined' ? undefined : ${name}`, context) as unknown;
    if (value !== undefined) vars[name] = structuredClone(value);
  }
  return { vars, callbacks };
}
