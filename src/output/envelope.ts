import { isSuccessErrno } from '../wcap/errno.js';
import type { WcapBlock, WcapProperty, WcapResult } from '../wcap/result.js';

/**
 * What every output format puts around a block: PRODID, VERSION, METHOD and the errno trailer.
 * Shared so that text/calendar and text/xml (and later text/json) cannot disagree.
 */

/** PRODID of every answer; Lightning shows it in its "WCAP version too old" dialog. */
export const GATEWAY_PRODID = '-//wcap-gateway//WCAP 3.0//EN';
/** iCalendar VERSION (the 6.x server sometimes wrote 6.0; clients ignore it). */
export const ICALENDAR_VERSION = '2.0';
/** METHOD of every answer. */
export const PUBLISH_METHOD = 'PUBLISH';

export const ERRNO_PROPERTY = 'X-NSCP-WCAP-ERRNO';
export const ERRNO_MESSAGE_PROPERTY = 'X-NSCP-WCAP-ERRNO-MESSAGE';

/**
 * The errno properties of a block, in output order: always `X-NSCP-WCAP-ERRNO`, then
 * `X-NSCP-WCAP-ERRNO-MESSAGE` when the errno is not a success (0, −1) and a message is set.
 */
export function errnoProperties(block: WcapBlock): WcapProperty[] {
  const properties: WcapProperty[] = [{ name: ERRNO_PROPERTY, value: String(block.errno) }];
  if (!isSuccessErrno(block.errno) && block.errnoMessage !== undefined && block.errnoMessage !== '') {
    properties.push({ name: ERRNO_MESSAGE_PROPERTY, value: block.errnoMessage });
  }
  return properties;
}

/** True for the errno properties themselves, whatever their case. */
export function isErrnoPropertyName(name: string): boolean {
  const upper = name.toUpperCase();
  return upper === ERRNO_PROPERTY || upper.startsWith(`${ERRNO_PROPERTY}-`);
}

// iCalendar names are letters, digits and '-'; requiring a leading letter also makes every such
// name a valid XML name.
const PROPERTY_NAME = /^[A-Za-z][A-Za-z0-9-]*$/;

/** True when `name` is usable as a property or parameter name in every output format. */
export function isPortableName(name: string): boolean {
  return PROPERTY_NAME.test(name);
}

/**
 * Checks a block's own property and parameter names (they come from command code, so a bad one is
 * a programming error). Throws a TypeError naming the offender.
 */
export function assertBlockProperty(property: WcapProperty): void {
  const names = [property.name, ...Object.keys(property.params ?? {})];
  for (const name of names) {
    if (!isPortableName(name)) throw new TypeError(`invalid WCAP property or parameter name ${JSON.stringify(name)}`);
  }
}

/**
 * The blocks to render. Throws a RangeError for a result without blocks: text/calendar would turn
 * it into an empty body, which Lightning reads as an expired session and answers with a re-login.
 */
export function blocksOf(result: WcapResult): readonly WcapBlock[] {
  if (result.blocks.length === 0) throw new RangeError('WcapResult without blocks cannot be rendered');
  return result.blocks;
}
