import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { HttpError } from '../platform/errors';
import { renderPage } from '../platform/http';
import { get, idOf, me, type Route } from '../platform/routes';
import { singleRange, type RecordingsService, type StreamAnswer } from './recordings-service';

const PLAYERS = ['admin', 'manager', 'tester'] as const;
const MANAGE = ['admin', 'manager'] as const;

/**
 * Sends a recording's audio: fetched from Twilio with the account's
 * credentials and streamed through this server (the browser never sees a
 * Twilio URL), a single Range passed through so that the player can seek,
 * nothing kept by a shared cache. `load` checks the user's rights (throwing
 * NotFoundError) and fetches. Exported so that another page's route (e.g. a
 * calibration round's, with its own rights) can serve a recording the same way.
 */
export async function sendRecording(req: Request, res: Response, load: (range: string | null) => Promise<StreamAnswer>): Promise<void> {
  res.set('Cache-Control', 'private, no-store');
  const plain = (status: number, key: 'recording.deleted.short' | 'recording.unavailable' | 'recording.missing') => {
    res.status(status).type('text/plain; charset=utf-8').send(req.t(key));
  };
  let answer: StreamAnswer;
  try {
    answer = await load(singleRange(req.headers.range));
  } catch (err) {
    if (err instanceof HttpError) throw err;
    // Twilio unreachable or timing out: say so, not a 500.
    req.log?.warn({ err }, 'fetching a recording from Twilio failed');
    return plain(502, 'recording.unavailable');
  }
  if (answer.kind === 'gone') return plain(410, 'recording.deleted.short');
  if (answer.kind === 'unavailable') return plain(502, 'recording.unavailable');
  const { status, headers, body } = answer.media;
  if (status !== 200 && status !== 206 && status !== 416) {
    body.resume();
    return status === 404 ? plain(404, 'recording.missing') : plain(502, 'recording.unavailable');
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

/** The player's audio (the call's tester, administrators, managers who reach the unit; others 404) and the recordings page. */
export function recordingRoutes(recordings: RecordingsService): Route[] {
  return [
    get('/recordings/:id/audio', PLAYERS, async (req, res) => {
      await sendRecording(req, res, (range) => recordings.stream(me(req), idOf(req, 'id'), range));
    }),

    get('/recordings', MANAGE, async (req, res) => {
      const user = me(req);
      await renderPage(res, 'telephony/recordings', { failures: await recordings.deleteFailures(user), recent: await recordings.recent(user) });
    }),
  ];
}
