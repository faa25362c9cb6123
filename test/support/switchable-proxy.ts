import { createConnection, createServer, Server, Socket } from 'node:net';
import { AddressInfo } from 'node:net';

/**
 * A TCP proxy that stands in for a broker that is away and then comes back:
 * while refusing, it accepts and at once closes every connection (a client
 * sees the handshake fail); once forwarding, it pipes new connections to the
 * target. Lets a test take "the broker" away from one client without touching
 * the RabbitMQ other suites share.
 */
export class SwitchableProxy {
  private forwarding = false;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(target: { host: string; port: number }): Promise<SwitchableProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new SwitchableProxy(server, target);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  forward(): void {
    this.forwarding = true;
  }

  /** The broker goes away: open connections are cut and new ones refused. */
  refuse(): void {
    this.forwarding = false;
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (!this.forwarding) {
      client.destroy();
      return;
    }
    const upstream = createConnection(this.target);
    for (const [socket, peer] of [
      [client, upstream],
      [upstream, client],
    ]) {
      this.sockets.add(socket);
      socket.on('error', () => peer.destroy());
      socket.on('close', () => {
        this.sockets.delete(socket);
        peer.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
