import type { WebSocket } from 'ws';
import type { Principal, RevocationList } from '@omni/kit';
import type { RiderPush } from '../app/context';
import type { ServerMessage } from './ws-protocol';

/** Open rider WebSockets of this instance, by rider id (a rider may have several devices open). */
export class RiderHub implements RiderPush {
  private readonly sockets = new Map<string, Set<WebSocket>>();
  /** Whose token opened each socket, so a revocation closes exactly the sockets it voids. */
  private readonly principals = new WeakMap<WebSocket, Principal>();

  constructor(private readonly onCount: (connections: number) => void = () => undefined) {}

  add(riderId: string, socket: WebSocket, principal?: Principal): void {
    if (principal) this.principals.set(socket, principal);
    let set = this.sockets.get(riderId);
    if (!set) this.sockets.set(riderId, (set = new Set()));
    set.add(socket);
    this.onCount(this.connections);
  }

  remove(riderId: string, socket: WebSocket): void {
    const set = this.sockets.get(riderId);
    if (!set) return;
    set.delete(socket);
    if (set.size === 0) this.sockets.delete(riderId);
    this.onCount(this.connections);
  }

  send(riderId: string, message: ServerMessage): void {
    const set = this.sockets.get(riderId);
    if (!set) return;
    const frame = JSON.stringify(message);
    for (const socket of set) if (socket.readyState === socket.OPEN) socket.send(frame);
  }

  /** Closes (4003) every socket whose token is now revoked (account disabled, logout, ops revocation). */
  closeRevoked(revocations: RevocationList): number {
    let closed = 0;
    for (const set of this.sockets.values()) {
      for (const socket of set) {
        const p = this.principals.get(socket);
        if (p && revocations.isRevoked(p)) {
          socket.close(4003, 'token revoked');
          closed++;
        }
      }
    }
    return closed;
  }

  get connections(): number {
    let n = 0;
    for (const set of this.sockets.values()) n += set.size;
    return n;
  }

  closeAll(code = 1001, reason = 'server shutting down'): void {
    for (const set of this.sockets.values()) for (const socket of set) socket.close(code, reason);
    this.sockets.clear();
  }
}
