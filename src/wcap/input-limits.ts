import type { Config } from '../config.js';

/**
 * Bounds on what one request may carry (README, Security), so that no single request can tie up
 * the gateway or the CalDAV server behind it. Each is a setting; crossing one answers the
 * command's errno with a message naming the limit and its setting.
 */
export interface InputLimits {
  /** Bytes of a request body, counted while it streams in (WCAP_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** Parameters of one request (WCAP_MAX_PARAMS). */
  maxParams: number;
  /** Characters of one parameter value (WCAP_MAX_PARAM_LENGTH). */
  maxParamLength: number;
  /** Items of one list parameter: uids, rids, categories, dates… (WCAP_MAX_LIST_ITEMS). */
  maxListItems: number;
}

export function inputLimitsOf(config: Readonly<Config>): InputLimits {
  return {
    maxBodyBytes: config.maxBodyBytes,
    maxParams: config.maxParams,
    maxParamLength: config.maxParamLength,
    maxListItems: config.maxListItems,
  };
}
