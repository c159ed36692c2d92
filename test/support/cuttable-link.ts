import { connect, createServer, Server, Socket } from 'node:net';

/**
 * A TCP link between a browser and the app that a test can cut: while cut,
 * every connection (open or new) is closed before a byte is passed on, so
 * nothing the browser sends reaches the server, whichever part of the browser
 * sends it (page or service worker). The network as a phone loses it.
 */
export interface CuttableLink {
  /** The app's address through the link. */
  readonly url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startCuttableLink(target: string): Promise<CuttableLink> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let up = true;
  const server: Server = createServer((browserSide) => {
    if (!up) return void browserSide.destroy();
    const appSide = connect(Number(port), hostname);
    const end = () => {
      for (const socket of [browserSide, appSide]) {
        socket.destroy();
        sockets.delete(socket);
      }
    };
    for (const socket of [browserSide, appSide]) {
      sockets.add(socket);
      socket.on('error', end).on('close', end);
    }
    browserSide.pipe(appSide).pipe(browserSide);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cut = () => {
    up = false;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    cut,
    restore() {
      up = true;
    },
    async close() {
      cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
