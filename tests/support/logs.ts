import { Writable } from 'node:stream';
import { createLogger } from '../../server/platform/logger';

/** The product's logger, writing into memory: `text()` is everything logged so far. */
export function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('info', stream), text: () => lines.join('') };
}
