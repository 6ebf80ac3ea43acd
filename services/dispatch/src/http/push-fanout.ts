import { newId } from '@omni/store';
import type { EventBus, Subscription } from '@omni/events';
import type { Logger } from 'pino';
import type { RiderPush } from '../app/context';
import type { RiderHub } from './rider-hub';
import type { ServerMessage } from './ws-protocol';

/** Not a domain event: a live notice for whichever replica holds the rider's socket. */
export const RIDER_PUSH_TOPIC = 'omni.dispatch.rider-push';

interface PushFrame {
  origin: string;
  riderId: string;
  message: ServerMessage;
}

/**
 * Pushes to riders across replicas. A rider's socket lives on one replica, but offers, withdrawals,
 * ready and cancel notices are made by whichever replica's timer or consumer handled the job. Each
 * push goes to local sockets at once and, through the bus, to every other replica (a consumer group
 * per replica, starting at the end: a notice is only worth sending live; a rider who reconnects gets
 * the current offer in `hello`).
 */
export class FanOutPush implements RiderPush {
  private readonly origin = `dispatch-${newId()}`;
  private sub: Subscription | null = null;

  constructor(
    private readonly hub: RiderHub,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  send(riderId: string, message: ServerMessage): void {
    this.hub.send(riderId, message);
    const frame: PushFrame = { origin: this.origin, riderId, message };
    this.bus
      .publish(RIDER_PUSH_TOPIC, [{ key: riderId, value: JSON.stringify(frame) }])
      .catch((err: unknown) => this.log.warn({ err, riderId }, 'rider push fan-out failed'));
  }

  async start(): Promise<void> {
    await this.bus.ensureTopics([{ name: RIDER_PUSH_TOPIC, partitions: 8 }]);
    this.sub = await this.bus.subscribe({
      group: `${this.origin}-push`,
      topics: [RIDER_PUSH_TOPIC],
      fromBeginning: false,
      handler: async (msg) => {
        let frame: PushFrame;
        try {
          frame = JSON.parse(msg.value) as PushFrame;
        } catch {
          return;
        }
        if (frame.origin === this.origin || typeof frame.riderId !== 'string') return;
        this.hub.send(frame.riderId, frame.message);
      },
    });
  }

  async stop(): Promise<void> {
    await this.sub?.close();
    this.sub = null;
  }
}
