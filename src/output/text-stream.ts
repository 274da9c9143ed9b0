/** Pieces of text this large or larger go out as one chunk; smaller ones are gathered first. */
const CHUNK_CHARS = 16 * 1024;

/**
 * A byte stream of the pieces an async generator yields, pulled only as fast as the client reads
 * (so an export of a large calendar never holds more than a chunk or so of the answer). A failing
 * generator errors the stream: the answer ends unfinished. A client that goes away ends the
 * generator (its `finally` blocks run).
 */
export function textStream(pieces: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let text = '';
      while (text.length < CHUNK_CHARS) {
        const next = await pieces.next();
        if (next.done) {
          if (text !== '') controller.enqueue(encoder.encode(text));
          controller.close();
          return;
        }
        text += next.value;
      }
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await pieces.return(undefined);
    },
  });
}
