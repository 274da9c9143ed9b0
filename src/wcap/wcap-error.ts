/**
 * A protocol-level failure with the errno the client must see. Thrown by the parameter DSL and by
 * commands; the pipeline renders it in the requested format with X-NSCP-WCAP-ERRNO-MESSAGE.
 * Messages are shown to users and logged: never put passwords or session ids in them.
 */
export class WcapError extends Error {
  constructor(
    readonly errno: number,
    message: string,
  ) {
    super(message);
    this.name = 'WcapError';
  }
}
