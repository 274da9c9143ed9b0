/**
 * A file a request carried: a multipart file part, or the whole body of an import posted as
 * text/calendar or text/xml. It was spooled to a temporary file as it arrived, so commands read it
 * as a stream and nothing holds it whole in memory; the file is removed when the request ends.
 */
export interface Upload {
  /** The form field name (`Upload` for Sun's import page); `body` for a plain body. */
  readonly field: string;
  /** The client's file name, last path segment only; '' when none was given. */
  readonly filename: string;
  /** The declared Content-Type, lower-cased without parameters; '' when none was given. */
  readonly contentType: string;
  /** Its size in bytes. */
  readonly size: number;
  /** Its bytes from the start, in chunks (may be called more than once). */
  chunks(): AsyncIterable<Uint8Array>;
  /** Its bytes at once; only for files already known to be small (attachments). */
  bytes(): Promise<Uint8Array>;
}
