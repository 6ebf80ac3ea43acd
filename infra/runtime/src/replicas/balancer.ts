import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * The bed's stand-in for a Kubernetes Service: round-robin over the live replicas of one service.
 * HTTP is balanced per request (so consecutive calls of one client land on different replicas),
 * WebSocket upgrades and gRPC (HTTP/2) per connection, as kube-proxy does. A replica taken out of
 * rotation gets no new requests; its open connections break when it stops.
 */
export class Balancer {
  private next = 0;
  private readonly backends: Array<{ port: number; live: boolean }> = [];
  private server: http.Server | net.Server | null = null;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  port = 0;

  constructor(private readonly kind: 'http' | 'tcp') {}

  add(port: number): void {
    this.backends.push({ port, live: true });
  }
  /** Takes the replica listening on `port` out of rotation (before it is stopped). */
  drop(port: number): void {
    for (const b of this.backends) if (b.port === port) b.live = false;
  }

  private pick(): number {
    const live = this.backends.filter((b) => b.live);
    if (live.length === 0) throw new Error('no live replica');
    return live[this.next++ % live.length]!.port;
  }

  async listen(): Promise<number> {
    const server =
      this.kind === 'http'
        ? http.createServer((req, res) => this.forward(req, res))
        : net.createServer((c) => this.pipe(c));
    if (server instanceof http.Server)
      server.on('upgrade', (req, socket, head) => this.upgrade(req, socket as net.Socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    let port: number;
    try {
      port = this.pick();
    } catch {
      res.writeHead(503).end();
      return;
    }
    const up = http.request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent: this.agent },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  }

  private upgrade(req: http.IncomingMessage, client: net.Socket, head: Buffer): void {
    const upstream = net.connect(this.pick(), '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', end).on('close', end);
    client.on('error', end).on('close', end);
  }

  private readonly open = new Set<net.Socket>();

  private pipe(client: net.Socket): void {
    this.open.add(client);
    client.on('close', () => this.open.delete(client));
    let port: number;
    try {
      port = this.pick();
    } catch {
      client.destroy();
      return;
    }
    const upstream = net.connect(port, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', end).on('close', end);
    client.on('error', end).on('close', end);
  }

  async close(): Promise<void> {
    this.agent.destroy();
    const s = this.server;
    if (!s) return;
    if (s instanceof http.Server) s.closeAllConnections();
    for (const c of this.open) c.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
