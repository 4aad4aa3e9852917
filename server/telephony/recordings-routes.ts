import { pipeline } from 'node:stream/promises';
import { HttpError } from '../platform/errors';
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
      res.set('Cache-Control', 'private, no-store');
      let answer: StreamAnswer;
      try {
        answer = await recordings.stream(me(req), idOf(req, 'id'), singleRange(req.headers.range));
      } catch (err) {
        if (err instanceof HttpError) throw err;
        // Twilio unreachable or timing out: say so, not a 500.
        req.log?.warn({ err }, 'fetching a recording from Twilio failed');
        return res.status(502).type('text/plain; charset=utf-8').send(req.t('recording.unavailable'));
      }
      if (answer.kind === 'gone') return res.status(410).type('text/plain; charset=utf-8').send(req.t('recording.deleted.short'));
      if (answer.kind === 'unavailable') return res.status(502).type('text/plain; charset=utf-8').send(req.t('recording.unavailable'));
      const { status, headers, body } = answer.media;
      if (status !== 200 && status !== 206 && status !== 416) {
        body.resume();
        return res.status(status === 404 ? 404 : 502).type('text/plain; charset=utf-8').send(req.t(status === 404 ? 'recording.missing' : 'recording.unavailable'));
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
    }),

    get('/recordings', MANAGE, async (req, res) => {
      const user = me(req);
      await renderPage(res, 'telephony/recordings', { failures: await recordings.deleteFailures(user), recent: await recordings.recent(user) });
    }),
  ];
}
