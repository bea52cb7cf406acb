// The HTTP side of the server: a few fixed routes (/healthz, /metrics, …) and, when given, the static app.
// Nothing a request carries can throw out of here: the target is parsed defensively, and a handler that fails
// costs that one response (500), never the process.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpHandler } from './static';

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** The path of a request target (origin-form or absolute-form), or null when it is not a valid target. */
export function pathnameOf(target: string | undefined): string | null {
  if (!target) return null;
  try {
    return new URL(target, 'http://localhost').pathname;
  } catch {
    return null;
  }
}

export function httpHandler(
  routes: ReadonlyMap<string, Route>,
  files: HttpHandler | null,
  onError: (err: Error) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const fail = (res: ServerResponse, status: number, text: string): void => {
    if (res.headersSent) res.destroy();
    else res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
  };
  return (req, res) => {
    const pathname = pathnameOf(req.url);
    if (pathname === null) return fail(res, 400, 'bad request target');
    const route = routes.get(pathname);
    try {
      if (route) {
        const done = route(req, res);
        if (done)
          done.catch((err: unknown) => {
            onError(err instanceof Error ? err : new Error(String(err)));
            fail(res, 500, 'server error');
          });
      } else if (files) files(req, res, pathname);
      else fail(res, 404, 'not found');
    } catch (err) {
      onError(err instanceof Error ? err : new Error(String(err)));
      fail(res, 500, 'server error');
    }
  };
}
