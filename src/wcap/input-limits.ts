import type { Config } from '../config.js';

/**
 * Bounds on what one request may carry (README, Security), so that no single request can tie up
 * the gateway or the CalDAV server behind it. Each is a setting; crossing one answers the
 * command's errno with a message naming the limit and its setting.
 */
export interface InputLimits {
  /** Bytes of a request body, counted while it streams in (WCAP_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** Bytes of a body that carries files, for commands that take them (WCAP_MAX_UPLOAD_BYTES). */
  maxUploadBytes: number;
  /** Components of one import (WCAP_MAX_IMPORT_COMPONENTS). */
  maxImportComponents: number;
  /** Bytes of one component of an import (WCAP_MAX_IMPORT_COMPONENT_BYTES). */
  maxImportComponentBytes: number;
  /** Bytes of one file a store attaches inline (WCAP_MAX_ATTACHMENT_BYTES). */
  maxAttachmentBytes: number;
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
    maxUploadBytes: config.maxUploadBytes,
    maxImportComponents: config.maxImportComponents,
    maxImportComponentBytes: config.maxImportComponentBytes,
    maxAttachmentBytes: config.maxAttachmentBytes,
    maxParams: config.maxParams,
    maxParamLength: config.maxParamLength,
    maxListItems: config.maxListItems,
  };
}
