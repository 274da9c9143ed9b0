import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Upload } from '../wcap/upload.js';

/**
 * Temporary files for the uploads of one request (see wcap/upload.ts). Created lazily in a
 * private directory of the system's temp folder (mode 0700 through mkdtemp) and removed, with
 * their directory, by {@link dispose} once the answer has been sent.
 */
export class UploadSpool {
  private dir: Promise<string> | undefined;
  private count = 0;
  readonly uploads: Upload[] = [];

  /** Starts a new file; write its bytes into the returned writer, then `finish` it. */
  async open(field: string, filename: string, contentType: string): Promise<SpoolWriter> {
    this.dir ??= mkdtemp(path.join(tmpdir(), 'wcap-upload-'));
    const file = path.join(await this.dir, String(++this.count));
    const out = createWriteStream(file, { mode: 0o600 });
    let size = 0;
    return {
      write: (chunk) => {
        size += chunk.byteLength;
        return writeChunk(out, chunk);
      },
      finish: async () => {
        await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
        this.uploads.push(uploadAt(file, field, filename, contentType, size));
      },
    };
  }

  /** Removes every file of the request (never throws). */
  async dispose(): Promise<void> {
    if (!this.dir) return;
    const dir = await this.dir.catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

export interface SpoolWriter {
  write(chunk: Uint8Array): Promise<void>;
  finish(): Promise<void>;
}

function writeChunk(out: WriteStream, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}

function uploadAt(file: string, field: string, filename: string, contentType: string, size: number): Upload {
  return {
    field,
    filename,
    contentType,
    size,
    chunks: () => createReadStream(file, { highWaterMark: 64 * 1024 }),
    bytes: async () => new Uint8Array(await readFile(file)),
  };
}
