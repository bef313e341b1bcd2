/** A real HTTP server on loopback that records what webhooks POST to it. */
import { once } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ReceiverOptions {
  /** The answer's status; `null` never answers. */
  readonly status: number | null;
  /** The answer's body. */
  readonly answer?: string;
  /**
   * The first this many requests are read in full and recorded, then the connection is cut before
   * any answer: the receiver has the notification while the sender sees a failure.
   */
  readonly hangUps?: number;
}

export async function startReceiver(options: ReceiverOptions, cleanups: (() => Promise<void>)[]) {
  const requests: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ method: request.method, url: request.url, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (requests.length <= (options.hangUps ?? 0)) request.socket.destroy();
      else if (options.status !== null) response.writeHead(options.status, { 'content-type': 'text/plain' }).end(options.answer ?? '');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}
