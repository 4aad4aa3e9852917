import type { Writable } from 'node:stream';

/** The reader went away (closed the connection): stop reading rows. */
export class ExportAborted extends Error {
  constructor() {
    super('the export was aborted: its output closed');
  }
}

/** Waits until a stream wants more, or fails if it closes first (a reader that went away never drains). */
export function drained(stream: Writable): Promise<void> {
  if (stream.destroyed || stream.closed) return Promise.reject(new ExportAborted());
  return new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new ExportAborted());
    };
    stream.on('drain', onDrain);
    stream.on('close', onClose);
    stream.on('error', onClose);
  });
}

/** Resolves when a stream has flushed everything it was given (ended), fails if it closes first. */
export function finished(stream: Writable): Promise<void> {
  if (stream.writableFinished) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    stream.once('finish', () => resolve());
    stream.once('close', () => (stream.writableFinished ? resolve() : reject(new ExportAborted())));
    stream.once('error', () => reject(new ExportAborted()));
  });
}

const CHUNK = 64 * 1024;

/**
 * Text written to a stream in chunks of about 64 KB, waiting whenever the
 * stream's buffer is full: memory holds one chunk and one page of rows, however
 * long the export.
 */
export class ChunkedOutput {
  private buffer = '';

  constructor(private readonly stream: Writable) {}

  async write(text: string): Promise<void> {
    this.buffer += text;
    if (this.buffer.length >= CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer === '') return;
    const chunk = Buffer.from(this.buffer, 'utf8');
    this.buffer = '';
    if (!this.stream.write(chunk)) await drained(this.stream);
  }

  /** Flushes, ends the stream and waits until it has passed everything on. */
  async end(): Promise<void> {
    await this.flush();
    const done = finished(this.stream);
    this.stream.end();
    await done;
  }
}
