/** A request body read whole, or the news that it is larger than allowed. */
export type BoundedBody = { bytes: Uint8Array } | { tooLarge: true };

/**
 * Reads a request body up to `maxBytes`, counting while it streams in, so a chunked upload without
 * Content-Length is refused as soon as it passes the limit instead of being buffered whole. The
 * rest is never read: the stream is cancelled, and the caller closes the connection.
 */
export async function readBounded(request: Request, maxBytes: number): Promise<BoundedBody> {
  const declared = Number(request.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await request.body?.cancel().catch(() => undefined);
    return { tooLarge: true };
  }
  if (!request.body) return { bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { tooLarge: true };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes };
}
