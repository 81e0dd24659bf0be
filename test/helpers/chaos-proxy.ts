import { createServer, connect, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that misbehaves on purpose: it forwards to `target` until a connection has carried
 * `dropAfterBytes` from the client, then cuts both sides — an S3 endpoint that drops uploads midway.
 */
export interface ChaosProxy {
  port: number;
  url: string;
  connections(): number;
  /** Connections it cut on purpose. */
  drops(): number;
  /** Change behaviour for new connections. */
  set(mode: ChaosMode): void;
  stop(): Promise<void>;
}

/**
 * drop-after counts what the client sends (uploads); drop-download-after what the server sends back (downloads);
 * stall-download-after forwards that much of a download, then nothing more, holding the connection open.
 */
export type ChaosMode =
  | { kind: 'pass' }
  | { kind: 'drop-after'; bytes: number }
  | { kind: 'drop-download-after'; bytes: number }
  | { kind: 'stall-download-after'; bytes: number }
  | { kind: 'refuse' };

export async function startChaosProxy(
  target: { host: string; port: number },
  initial: ChaosMode = { kind: 'pass' },
): Promise<ChaosProxy> {
  let mode = initial;
  let count = 0;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    count++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (mode.kind === 'refuse') return client.destroy();
    const upstream = connect(target.port, target.host);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    // Forwards one direction, cutting both sockets once that direction has carried more than `limit` bytes.
    const forward = (from: Socket, to: Socket, limit: number, stall = false) => {
      let carried = 0;
      from.on('data', (chunk: Buffer) => {
        carried += chunk.length;
        if (carried > limit && stall) return void from.pause();
        if (carried > limit) {
          dropped++;
          client.destroy();
          upstream.destroy();
          return;
        }
        to.write(chunk);
      });
    };
    forward(client, upstream, mode.kind === 'drop-after' ? mode.bytes : Infinity);
    const downloadLimit =
      mode.kind === 'drop-download-after' || mode.kind === 'stall-download-after' ? mode.bytes : Infinity;
    forward(upstream, client, downloadLimit, mode.kind === 'stall-download-after');
    upstream.on('end', () => client.end());
    client.on('end', () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    drops: () => dropped,
    set: (m) => (mode = m),
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
