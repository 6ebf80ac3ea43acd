import { Type } from 'typebox';
import type { DestinationStream } from 'pino';
import { createEmbeddedStore } from '@omni/store';
import { createEmbeddedBus } from '@omni/events';
import { createService, NotFoundError, type Service } from '../src';
import type { TestTokenIssuer } from '@omni/testing';

/** A kit-built service with one resource, used to test what every real service gets from the kit. */
export async function startSampleService(
  issuer: TestTokenIssuer,
  logDestination?: DestinationStream,
  opts: { shutdownTimeoutMs?: number } = {},
): Promise<Service> {
  const svc = createService({
    name: 'sample',
    store: createEmbeddedStore(),
    bus: createEmbeddedBus(),
    auth: issuer.authOptions,
    logLevel: 'info',
    logDestination,
    bodyLimit: 16 * 1024,
    grpc: false,
    ...(opts.shutdownTimeoutMs !== undefined ? { shutdownTimeoutMs: opts.shutdownTimeoutMs } : {}),
  });
  const notes = svc.store.collection<{ _id: string; storeId: string; text: string; qty: number }>('notes');
  let created = 0;

  svc.app.post(
    '/v1/stores/:storeId/notes',
    {
      config: {
        permission: 'inventory:adjust',
        scope: (req) => ({ storeId: (req.params as { storeId: string }).storeId }),
      },
      schema: {
        params: Type.Object({ storeId: Type.String({ minLength: 1 }) }),
        body: Type.Object(
          { text: Type.String({ minLength: 1, maxLength: 200 }), qty: Type.Integer({ minimum: 1 }) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            storeId: Type.String(),
            text: Type.String(),
            qty: Type.Integer(),
            seq: Type.Integer(),
          }),
        },
      },
    },
    async (req, reply) => {
      created++;
      const id = `n${created}`;
      await notes.insertOne({ _id: id, storeId: req.params.storeId, text: req.body.text, qty: req.body.qty });
      // A slow handler makes concurrent duplicates observable in tests.
      await new Promise((r) => setTimeout(r, 50));
      return reply
        .code(201)
        .header('location', `/v1/notes/${id}`)
        .send({ id, storeId: req.params.storeId, text: req.body.text, qty: req.body.qty, seq: created });
    },
  );
  svc.app.get(
    '/v1/notes/:id',
    { config: { permission: 'inventory:read' }, schema: { params: Type.Object({ id: Type.String() }) } },
    async (req) => {
      const n = await notes.findById(req.params.id);
      if (!n) throw new NotFoundError('note', req.params.id);
      return n;
    },
  );
  // Issues a secret: the response must never be stored by the idempotency mechanism.
  let secrets = 0;
  svc.app.post('/v1/secrets', { config: { idempotency: false, public: true } }, async () => ({
    secret: `s-${++secrets}`,
  }));
  // Never answers: used to prove shutdown is bounded.
  svc.app.get('/v1/hang', () => new Promise(() => undefined));
  svc.app.get('/v1/boom', async () => {
    throw new Error('secret internal detail at /srv/app.ts:42');
  });
  await svc.start();
  return svc;
}
