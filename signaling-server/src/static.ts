// Serves the built app (dist/) from the same port as the signaling WebSocket, through serve-static/send (the
// Express team's file server): percent-decoding, NUL bytes, `..` segments, dotfiles, ranges, ETag/304 and
// stream errors are theirs to get right. What is ours: the SPA fallback (an app route such as /room/x gets
// index.html) and long caching for the content-hashed files under /assets/.
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import serveStatic from 'serve-static';
import send from 'send';

export type HttpHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => void;

/** An error from send/serve-static: an HTTP status (400 bad encoding, 403 traversal, 404 missing, …). */
function statusOf(err: unknown): number {
  const status =
    (err as { status?: unknown; statusCode?: unknown } | null)?.status ??
    (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

export function staticHandler(dir: string): HttpHandler {
  const root = path.resolve(dir);
  const setHeaders = (res: ServerResponse, file: string): void => {
    const immutable = file.startsWith(path.join(root, 'assets') + path.sep);
    res.setHeader('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  };
  // fallthrough: false — every refusal (400, 403, 404) comes back to us as an error with a status, so a
  // traversal attempt is answered 4xx instead of falling through to the SPA page.
  const files = serveStatic(root, { fallthrough: false, dotfiles: 'ignore', redirect: true, setHeaders });

  const fail = (res: ServerResponse, status: number): void => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res
      .writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' })
      .end(status === 404 ? 'not found' : status < 500 ? 'bad request' : 'server error');
  };

  /** An app route (no file extension in its last segment) that is not a file gets the SPA's index.html. */
  const isAppRoute = (pathname: string): boolean => !path.posix.extname(pathname);

  return (req, res, pathname) => {
    files(req, res, (err?: unknown) => {
      const status = err ? statusOf(err) : 404;
      if (status !== 404 || !isAppRoute(pathname) || res.headersSent) return fail(res, status);
      const index = send(req, '/index.html', { root, dotfiles: 'ignore' });
      index.on('headers', (r: ServerResponse) => r.setHeader('cache-control', 'no-cache'));
      index.on('error', (e: unknown) => fail(res, statusOf(e)));
      index.pipe(res);
    });
  };
}
