// A recording HTTP proxy for the engines whose drivers do not see every request
// (WebKitWebDriver sees none; Firefox's BiDi events leave out the service worker's).
// The browser is told to send all its traffic through it, localhost included: it logs
// every URL, forwards requests for the test server, and answers 502 to anything else
// (and to every CONNECT, i.e. any https:// origin), so nothing leaves the machine.
import { createServer, request as httpRequest } from 'node:http';

/** An HTTP proxy that records every URL and forwards only requests for `allowedOrigin`. */
export async function recordingProxy(allowedOrigin, onRequest) {
  const allowed = new URL(allowedOrigin);
  const proxy = createServer((req, res) => {
    onRequest(req.url);
    let u;
    try {
      u = new URL(req.url);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (u.host !== allowed.host) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end('blocked by the survkit test proxy');
      return;
    }
    const up = httpRequest({ host: allowed.hostname, port: allowed.port, method: req.method, path: u.pathname + u.search, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  proxy.on('connect', (req, socket) => {
    onRequest(`https://${req.url}/`);
    socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
  });
  await new Promise((ok) => proxy.listen(0, '127.0.0.1', ok));
  return proxy;
}
