// A loopback TCP proxy in front of a server, so tests can cut the agent's
// connections from outside: reset them, drop them, or stall them (stop
// forwarding bytes while keeping the sockets open, as a black-holed network
// path does). TLS passes through untouched.
import { createServer, type Server, type Socket, connect } from 'node:net';

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
}

export class TcpProxy {
  private readonly server: Server;
  private readonly pairs = new Set<Pair>();
  private readonly target: { host: string; port: number };
  private port = 0;
  private acceptedCount = 0;

  constructor(targetUrl: string) {
    const url = new URL(targetUrl);
    this.target = { host: url.hostname, port: Number(url.port) };
    this.server = createServer((client) => {
      this.accept(client);
    });
  }

  /** Listens on a free loopback port; returns `https://127.0.0.1:<port>`. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => {
      this.server.listen(0, '127.0.0.1', resolve);
    });
    const address = this.server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
    return `https://127.0.0.1:${this.port}`;
  }

  /** Connections open right now. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Sends a TCP RST on both sides of every open connection. */
  reset(): number {
    return this.each((p) => {
      p.client.resetAndDestroy();
      p.upstream.resetAndDestroy();
    });
  }

  /** Closes every open connection cleanly (FIN), as a restarted load balancer would. */
  drop(): number {
    return this.each((p) => {
      p.client.end();
      p.upstream.end();
    });
  }

  /** Connections accepted since listen(), closed ones included. */
  get accepted(): number {
    return this.acceptedCount;
  }

  /** Stops forwarding on every open connection (new ones work): nothing arrives, nothing fails. */
  stall(): number {
    return this.each((p) => {
      p.client.unpipe(p.upstream);
      p.upstream.unpipe(p.client);
      p.client.pause();
      p.upstream.pause();
    });
  }

  async close(): Promise<void> {
    this.reset();
    await new Promise((resolve) => {
      this.server.close(resolve);
    });
  }

  private each(fn: (p: Pair) => void): number {
    const all = [...this.pairs];
    for (const p of all) fn(p);
    return all.length;
  }

  private accept(client: Socket): void {
    this.acceptedCount += 1;
    const upstream = connect(this.target.port, this.target.host);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const forget = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
