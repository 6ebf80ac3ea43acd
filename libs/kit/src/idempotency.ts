import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './app';
import type { Collection, DocumentStore } from '@omni/store';
import { isDuplicateKeyError } from '@omni/store';
import { BadRequestError, ConflictError, UnprocessableError } from './errors';

/**
 * `Idempotency-Key` for unsafe requests (POST, PUT, PATCH, DELETE), as storefronts and POS clients
 * retry on timeouts:
 * - same key + same body (same caller, same method and path) → the first response, replayed, with
 *   `Idempotent-Replayed: true`;
 * - same key + different body → 422;
 * - same key while the first request is still running → 409 with Retry-After;
 * - a 5xx is not remembered, so the client may retry it.
 * A request that crashes mid-way leaves a pending record that another attempt may take over after
 * `lockMs`; use cases that change state must therefore also be idempotent on their own natural keys
 * (they are: reservations by id, orders by key, POS ops by client op id).
 */

interface IdempotencyRecord {
  _id: string;
  state: 'pending' | 'done';
  requestHash: string;
  lockedAt: number;
  expiresAt: number;
  status?: number;
  contentType?: string;
  location?: string;
  body?: string;
  [k: string]: unknown;
}

export interface IdempotencyOptions {
  store: DocumentStore;
  /** How long a response is remembered. Default 24 h. */
  ttlMs?: number;
  /** After this a pending record of a crashed request may be taken over. Default 30 s. */
  lockMs?: number;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /** The key record this request holds, and its lock time (fences the release after a failure). */
    idempotencyLock?: { id: string; lockedAt: number };
  }
}

export function registerIdempotency(app: App, opts: IdempotencyOptions): { sweep(): Promise<number> } {
  const ttlMs = opts.ttlMs ?? 24 * 3600_000;
  const lockMs = opts.lockMs ?? 30_000;
  const records: Collection<IdempotencyRecord> = opts.store.collection<IdempotencyRecord>({
    name: 'idempotency_keys',
    indexes: [{ keys: { expiresAt: 1 } }],
  });

  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    const key = req.headers['idempotency-key'];
    if (key === undefined || !UNSAFE.has(req.method) || req.routeOptions.config?.idempotency === false)
      return;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw new BadRequestError('Idempotency-Key must be 1-255 visible ASCII characters', [
        { field: 'header.idempotency-key', message: 'invalid' },
      ]);
    }
    const path = req.url.split('?')[0];
    const id = sha256(`${req.principal?.sub ?? 'anonymous'}|${req.method}|${path}|${key}`);
    const requestHash = sha256(JSON.stringify(req.body ?? null));
    const now = Date.now();
    try {
      await records.insertOne({
        _id: id,
        state: 'pending',
        requestHash,
        lockedAt: now,
        expiresAt: now + ttlMs,
      });
      req.idempotencyLock = { id, lockedAt: now };
      return;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    const existing = await records.findById(id);
    if (!existing) {
      // Expired and swept between our insert and read: treat as new.
      throw new ConflictError('idempotency-retry', 'Retry the request', {});
    }
    if (existing.requestHash !== requestHash) {
      throw new UnprocessableError(
        'idempotency-key-reused',
        'This Idempotency-Key was used with a different request body',
      );
    }
    if (existing.state === 'done') {
      reply
        .code(existing.status ?? 200)
        .header('idempotent-replayed', 'true')
        .header('content-type', existing.contentType ?? 'application/json; charset=utf-8');
      if (existing.location) reply.header('location', existing.location);
      return reply.send(existing.body ?? '');
    }
    // Pending: either still running, or its request crashed; take it over only after the lock.
    const takenOver = await records.findOneAndUpdate(
      { _id: id, state: 'pending', lockedAt: { $lt: now - lockMs } },
      { $set: { lockedAt: now } },
    );
    if (takenOver) {
      req.idempotencyLock = { id, lockedAt: now };
      return;
    }
    const err = new ConflictError(
      'idempotency-request-in-progress',
      'A request with this Idempotency-Key is still being processed',
    );
    err.headers['retry-after'] = '1';
    throw err;
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const lock = req.idempotencyLock;
    if (!lock) return payload;
    req.idempotencyLock = undefined;
    const { id } = lock;
    if (reply.statusCode >= 500) {
      // Free the key for the client's retry. When the store is what failed, keep trying in the
      // background: otherwise every retry meets "in progress" until the lock times out.
      // Only our own lock: a retry that took the key over after the lock expired keeps it.
      const ours = { _id: id, state: 'pending' as const, lockedAt: lock.lockedAt };
      await records.deleteOne(ours).catch(() => releaseLater(ours));
      return payload;
    }
    const body =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
    const location = reply.getHeader('location');
    await records.updateOne(
      { _id: id },
      {
        $set: {
          state: 'done',
          status: reply.statusCode,
          contentType: String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8'),
          ...(location !== undefined ? { location: String(location) } : {}),
          body,
        },
      },
    );
    return payload;
  });

  /** Retries the release of a failed request's key with capped backoff, for as long as its lock lasts. */
  function releaseLater(ours: { _id: string; state: 'pending'; lockedAt: number }): void {
    const giveUpAt = Date.now() + lockMs;
    const attempt = (delayMs: number): void => {
      setTimeout(() => {
        records.deleteOne(ours).catch(() => {
          if (Date.now() < giveUpAt) attempt(Math.min(delayMs * 2, 2_000));
        });
      }, delayMs).unref();
    };
    attempt(100);
  }

  return {
    sweep: () => records.deleteMany({ expiresAt: { $lt: Date.now() } }),
  };
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('base64url');
}
