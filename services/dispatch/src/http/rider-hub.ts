import type { WebSocket } from 'ws';
import type { RiderPush } from '../app/context';
import type { ServerMessage } from './ws-protocol';

/** Open rider WebSockets of this instance, by rider id (a rider may have several devices open). */
export class RiderHub implements RiderPush {
  private readonly sockets = new Map<string, Set<WebSocket>>();

  constructor(private readonly onCount: (connections: number) => void = () => undefined) {}

  add(riderId: string, socket: WebSocket): void {
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
