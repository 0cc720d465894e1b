/**
 * A TCP proxy in front of a real service, to make it misbehave on demand: `blackHole()` stops
 * forwarding in both directions while every socket stays open, as a hung server or a dropped
 * network path does (nothing is refused, nothing answers).
 */
import net from 'net';

export interface TcpProxy {
  /** Port on 127.0.0.1 the proxy listens on. */
  port: number;
  /** From now on, bytes in either direction are swallowed; connections stay open. */
  blackHole(): void;
  /** Closes the proxy and every connection through it. */
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let forwarding = true;
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const pipe = (from: net.Socket, to: net.Socket) => {
    from.on('data', (chunk) => forwarding && to.write(chunk));
    from.on('close', () => forwarding && to.destroy());
  };

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    track(client);
    track(upstream);
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });

  return {
    port: (server.address() as net.AddressInfo).port,
    blackHole: () => (forwarding = false),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
