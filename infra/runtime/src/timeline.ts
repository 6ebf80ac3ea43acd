import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError, bearerToken, type Principal } from '@omni/kit';
import type { DocumentStore } from '@omni/store';
import type { CloudEvent, EventBus, Subscription } from '@omni/events';
import { isDuplicateKeyError } from '@omni/store';
import { TOPICS } from '@omni/contracts';

/**
 * A developer's window on the event flow (embedded runtime only): every event on every topic,
 * indexed by the order it concerns, so `npm run demo` and newcomers can see an order's timeline
 * across services — orders, inventory, pickup, dispatch, customers — with times.
 */
export interface TimelineEntry {
  _id: string;
  orderId: string;
  time: string;
  type: string;
  source: string;
  subject: string;
  data: Record<string, unknown>;
  [k: string]: unknown;
}

export class Timeline {
  private readonly entries;
  private sub?: Subscription;
  private server?: Server;

  constructor(
    private readonly bus: EventBus,
    private readonly store: DocumentStore,
  ) {
    this.entries = store.collection<TimelineEntry>({
      name: 'timeline',
      indexes: [{ keys: { orderId: 1, time: 1 } }],
    });
  }

  async start(): Promise<void> {
    await this.store.init();
    this.sub = await this.bus.subscribe({
      group: 'runtime-timeline',
      topics: TOPICS.map((t) => t.name),
      fromBeginning: true,
      handler: async (msg) => {
        const event = JSON.parse(msg.value) as CloudEvent<Record<string, unknown>>;
        const orderId = orderIdOf(event);
        if (!orderId) return;
        try {
          await this.entries.insertOne({
            _id: event.id,
            orderId,
            time: event.time,
            type: event.type,
            source: event.source,
            subject: event.subject,
            data: event.data,
          });
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err;
        }
      },
    });
  }

  forOrder(orderId: string): Promise<TimelineEntry[]> {
    return this.entries.find({ orderId }, { sort: { time: 1, _id: 1 }, limit: 500 });
  }

  /**
   * Serves `GET /timeline/<orderId>` as JSON to ops only (`Authorization: Bearer <ops token>`): the
   * events carry customers' names and addresses.
   */
  async listen(host: string, port: number, verify: (token: string) => Promise<Principal>): Promise<number> {
    this.server = createServer((req, res) => {
      this.serve(req, res, verify).catch((err: unknown) => {
        // A bad or expired token is the caller's 401; anything else is ours, and says nothing.
        const e = err instanceof AppError ? err : new AppError(500, 'internal', 'Internal error');
        problem(res, e.status, e.slug, e.title, e.detail);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    return (this.server.address() as AddressInfo).port;
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    verify: (token: string) => Promise<Principal>,
  ): Promise<void> {
    const m = /^\/timeline\/([A-Za-z0-9_.:-]{1,128})$/.exec((req.url ?? '').split('?')[0] ?? '');
    if (req.method !== 'GET' || !m?.[1])
      return problem(res, 404, 'route-not-found', 'Not found', 'GET /timeline/<orderId>');
    const token = bearerToken(req.headers.authorization);
    if (!token)
      return problem(res, 401, 'unauthorized', 'Not authenticated', 'An ops bearer token is required');
    const principal = await verify(token);
    if (principal.role !== 'ops')
      return problem(res, 403, 'forbidden', 'Forbidden', 'The timeline is for ops only');
    const items = await this.forOrder(m[1]);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ orderId: m[1], items }));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await this.sub?.close();
    await this.store.close();
  }
}

function problem(res: ServerResponse, status: number, slug: string, title: string, detail?: string): void {
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
  });
  res.end(
    JSON.stringify({
      type: `https://omni.dev/problems/${slug}`,
      title,
      status,
      ...(detail ? { detail } : {}),
    }),
  );
}

/** The order an event is about: orders/pickup/dispatch key by orderId; inventory carries it in data. */
function orderIdOf(event: CloudEvent<Record<string, unknown>>): string | undefined {
  const fromData = event.data?.orderId;
  if (typeof fromData === 'string') return fromData;
  if (event.type.startsWith('omni.orders.order.')) return event.subject;
  return undefined;
}
