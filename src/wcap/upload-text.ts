import { WcapError } from './wcap-error.js';
import type { Upload } from './upload.js';

/**
 * An upload's text, decoded as UTF-8 chunk by chunk (a character split between chunks is joined).
 * Bytes that are not UTF-8 make the whole file unusable: WcapError `failsWith`.
 */
export async function* uploadText(upload: Upload, failsWith: number): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  try {
    for await (const chunk of upload.chunks()) yield decoder.decode(chunk, { stream: true });
    yield decoder.decode();
  } catch (err) {
    if (err instanceof TypeError) throw new WcapError(failsWith, 'The file is not UTF-8 text');
    throw err;
  }
}

/** The upload a command reads: the first file part, or the plain body. */
export function firstUpload(uploads: readonly Upload[]): Upload | undefined {
  return uploads[0];
}
