/**
 * JavaScript string literals that are safe inside an HTML `<script>` element (text/js answers,
 * docs/wcap-protocol.md#output-formats). Every value from calendar data passes through
 * {@link jsString}, so no value can end the string, the script (`</script>`), open an HTML comment
 * (`<!--`), or break a line (U+2028 and U+2029 end lines in older engines' string literals).
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '<': '\\x3C',
  '>': '\\x3E',
  '&': '\\x26',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

// What is escaped: the characters above, every C0 and C1 control and DEL (NUL included), and
// lone UTF-16 surrogates, which UTF-8 cannot carry (a valid pair is one character and stays).
const SPECIAL =
  /[\\'"\n\r\t<>&\u2028\u2029]|[\u0000-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `value` as a single-quoted JavaScript string literal; evaluating it gives `value` exactly. */
export function jsString(value: string): string {
  return `'${value.replace(SPECIAL, (char) => ESCAPES[char] ?? unicodeEscape(char))}'`;
}

function unicodeEscape(char: string): string {
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `new Array('a', 'b')` of string literals (the 3.x pages' list form). */
export function jsArray(values: readonly string[]): string {
  return `new Array(${values.map(jsString).join(', ')})`;
}
