import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { renderPage } from '../platform/http';
import { get, idOf, me, type Route } from '../platform/routes';
import { singleRange, type RecordingsService, type StreamAnswer } from './recordings-service';

const PLAYERS = ['admin', 'manager', 'tester'] as const;
const MANAGE = ['admin', 'manager'] as const;

/**
 * Playing a recording: the audio is fetched from Twilio with the account's
 * credentials and streamed through this server (the browser never sees a
 * Twilio URL), a Range passed through so that the player can seek, and
 * nothing kept by a shared cache. Whoever may not play it gets 404.
 */
export function recordingRoutes(recordings: RecordingsService): Route[] {
  return [
    get('/recordings/:id/audio', PLAYERS, async (req, res) => {
      await sendRecording(req, res, await recordings.stream(me(req), idOf(req, 'id'), singleRange(req.headers.range)));
    }),

    get('/recordings', MANAGE, async (req, res) => {
      const user = me(req);
      await renderPage(res, 'telephony/recordings', { failures: await recordings.deleteFailures(user), recent: await recordings.recent(user) });
    }),
  ];
}

/** Answers with a recording's audio (or why there is none): status, headers and the stream, nothing cached. */
export async function sendRecording(req: Request, res: Response, answer: StreamAnswer): Promise<void> {
  res.set('Cache-Control', 'private, no-store');
  if (answer.kind === 'gone') {
    res.status(410).type('text/plain; charset=utf-8').send(req.t('recording.deleted.short'));
    return;
  }
  const { status, headers, body } = answer.media;
  if (status !== 200 && status !== 206 && status !== 416) {
    body.resume();
    res.status(status === 404 ? 404 : 502).type('text/plain; charset=utf-8').send(req.t(status === 404 ? 'recording.missing' : 'recording.unavailable'));
    return;
  }
  res.status(status);
  res.set('Content-Type', headers.contentType?.startsWith('audio/') ? headers.contentType : 'audio/wav');
  res.set('Accept-Ranges', 'bytes');
  if (headers.contentLength !== null) res.set('Content-Length', headers.contentLength);
  if (headers.contentRange !== null) res.set('Content-Range', headers.contentRange);
  try {
    await pipeline(body, res);
  } catch {
    // The listener closed the player or seeked elsewhere: the browser ended this request.
    body.destroy();
  }
}
