import { createServer } from 'node:net';
import { ConflictError } from '../app/errors.js';

/**
 * Fails at once when `host:port` cannot be listened on, before the first training spends a
 * minute: then the error names the port, the way to find who holds it, and the flag to change it.
 * A port taken between this check and the real listen still fails there, as it would anyway.
 */
export async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new ConflictError(`port ${port} on ${host} is already in use, perhaps by another mloop serve: stop that process (\`ss -ltnp 'sport = :${port}'\` names it) or choose another port with --port (or PORT)`, undefined, { cause: error }));
      } else if (error.code === 'EACCES') {
        reject(new ConflictError(`not allowed to listen on port ${port} on ${host} (ports below 1024 need privileges): choose another port with --port (or PORT)`, undefined, { cause: error }));
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(new ConflictError(`cannot listen on ${host}: no such address on this machine; choose another with --host (or HOST)`, undefined, { cause: error }));
      } else {
        reject(error);
      }
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
