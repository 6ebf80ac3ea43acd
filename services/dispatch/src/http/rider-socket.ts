import { Compile } from 'typebox/compile';
import {
  AppError,
  authorize,
  bearerToken,
  ForbiddenError,
  NotFoundError,
  toProblem,
  UnauthorizedError,
  type App,
  type Authenticator,
  type Principal,
} from '@omni/kit';
import type { DispatchContext } from '../app/context';
import { updateLocation } from '../app/manage-riders';
import { acceptOffer, declineOffer } from '../app/respond-to-offer';
import { riderJobView, riderView } from '../app/views';
import { currentOffer } from './rider-routes';
import type { RiderHub } from './rider-hub';
import { ClientMessage, type ServerMessage } from './ws-protocol';

const checkMessage = Compile(ClientMessage);

declare module 'fastify' {
  interface FastifyRequest {
    wsRiderId?: string;
    wsPrincipal?: Principal;
  }
}

const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * `GET /v1/riders/me/ws` — the rider app's live channel. The token comes in the Authorization
 * header or, for browsers (which cannot set headers on a WebSocket), as `?access_token=`. The
 * socket is bound to the token's riderId; it is closed (4001) when the token expires.
 */
export function registerRiderSocketRoute(
  app: App,
  ctx: DispatchContext,
  hub: RiderHub,
  authenticator: Authenticator,
): void {
  app.register(async (scope) => {
    scope.get(
      '/v1/riders/me/ws',
      {
        websocket: true,
        schema: { hide: true } as Record<string, unknown>,
        preValidation: async (req) => {
          let principal = req.principal;
          if (!principal) {
            const token =
              bearerToken(req.headers.authorization) ??
              new URL(req.url, 'http://x').searchParams.get('access_token') ??
              undefined;
            if (!token) throw new UnauthorizedError();
            principal = await authenticator.verify(token);
          }
          authorize(principal, 'dispatch:ride');
          if (!principal.riderId) {
            throw new ForbiddenError(
              `${principal.role} ${principal.sub} is not a rider (no riderId in the token)`,
            );
          }
          if (!(await ctx.collections.riders.findById(principal.riderId)))
            throw new NotFoundError('rider', principal.riderId);
          req.wsRiderId = principal.riderId;
          req.wsPrincipal = principal;
        },
      },
      (socket, req) => {
        const riderId = req.wsRiderId!;
        const send = (m: ServerMessage): void => {
          if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
        };
        hub.add(riderId, socket, req.wsPrincipal);
        const expiresAt = req.wsPrincipal?.expiresAt;
        // setTimeout fires at once for delays above 2^31-1 ms (~24.8 days), so long-lived tokens
        // are checked in steps of at most that.
        let expiry: NodeJS.Timeout | undefined;
        const armExpiry = (): void => {
          if (!expiresAt) return;
          const left = expiresAt * 1000 - Date.now();
          if (left <= 0) {
            socket.close(4001, 'token expired');
            return;
          }
          expiry = setTimeout(armExpiry, Math.min(left, MAX_TIMER_MS));
          expiry.unref();
        };
        armExpiry();
        socket.on('close', () => {
          clearTimeout(expiry);
          hub.remove(riderId, socket);
        });

        // Messages of one socket are handled one after another, in the order sent.
        let queue: Promise<void> = hello(ctx, riderId).then(send, () => undefined);
        socket.on('message', (raw: Buffer, isBinary: boolean) => {
          queue = queue
            .then(() => handleMessage(ctx, riderId, isBinary ? null : raw.toString('utf8')))
            .then(send, (err: unknown) => {
              ctx.log.warn({ err, riderId }, 'rider socket message failed');
            });
        });
      },
    );
  });
}

async function hello(ctx: DispatchContext, riderId: string): Promise<ServerMessage> {
  const rider = await ctx.collections.riders.findById(riderId);
  const view = rider ? riderView(rider) : null;
  return {
    type: 'hello',
    riderId,
    status: view?.status ?? 'off_duty',
    onDuty: view?.onDuty ?? false,
    offer: await currentOffer(ctx, riderId),
  };
}

async function handleMessage(
  ctx: DispatchContext,
  riderId: string,
  text: string | null,
): Promise<ServerMessage> {
  let parsed: unknown;
  try {
    parsed = text === null ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!checkMessage.Check(parsed)) {
    const id =
      typeof (parsed as { id?: unknown })?.id === 'string' ? (parsed as { id: string }).id : undefined;
    const detail =
      parsed === undefined
        ? 'send one JSON object per text frame'
        : [...checkMessage.Errors(parsed)]
            .map((e) => `${e.instancePath || '/'} ${e.message}`)
            .slice(0, 5)
            .join('; ');
    return {
      type: 'error',
      ...(id ? { id } : {}),
      problem: {
        type: 'https://omni.dev/problems/invalid-message',
        title: 'Message is not valid',
        status: 400,
        detail,
      },
    };
  }
  const msg = parsed;
  try {
    switch (msg.type) {
      case 'ping':
        return { type: 'pong', ...(msg.id ? { id: msg.id } : {}) };
      case 'location':
        await updateLocation(ctx, riderId, { lat: msg.lat, lng: msg.lng });
        return { type: 'ack', ...(msg.id ? { id: msg.id } : {}) };
      case 'offer.accept':
        return {
          type: 'ack',
          ...(msg.id ? { id: msg.id } : {}),
          result: riderJobView(await acceptOffer(ctx, riderId, msg.jobId)),
        };
      case 'offer.decline':
        await declineOffer(ctx, riderId, msg.jobId);
        return { type: 'ack', ...(msg.id ? { id: msg.id } : {}) };
    }
  } catch (err) {
    const appErr =
      err instanceof AppError
        ? err
        : new AppError(500, 'internal', 'Internal error', { detail: 'An unexpected error occurred' });
    if (!(err instanceof AppError)) ctx.log.error({ err, riderId }, 'rider socket message failed');
    const p = toProblem(appErr);
    return {
      type: 'error',
      ...(msg.id ? { id: msg.id } : {}),
      problem: { type: p.type, title: p.title, status: p.status, ...(p.detail ? { detail: p.detail } : {}) },
    };
  }
}
