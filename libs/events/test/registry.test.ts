import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { defineEvent, EventRegistry, EventValidationError, toAsyncApi, UnknownEventTypeError } from '../src';

const OrderConfirmed = defineEvent({
  type: 'omni.orders.order.confirmed.v1',
  topic: 'omni.orders.order',
  description: 'An order was paid and confirmed',
  schema: Type.Object(
    {
      orderId: Type.String({ minLength: 1 }),
      total: Type.Integer({ minimum: 0 }),
      lines: Type.Array(Type.Object({ sku: Type.String(), qty: Type.Integer({ minimum: 1 }) })),
    },
    { additionalProperties: false },
  ),
});

const StockReserved = defineEvent({
  type: 'omni.inventory.stock.reserved.v2',
  topic: 'omni.inventory.stock',
  schema: Type.Object({ sku: Type.String(), qty: Type.Integer() }),
});

describe('defineEvent', () => {
  it('parses the version suffix and requires it', () => {
    expect(OrderConfirmed.version).toBe(1);
    expect(StockReserved.version).toBe(2);
    expect(() =>
      defineEvent({ type: 'omni.orders.order.confirmed', topic: 't', schema: Type.Object({}) }),
    ).toThrow(/\.vN/);
    expect(() => defineEvent({ type: 'Omni.Orders.v1', topic: 't', schema: Type.Object({}) })).toThrow(
      /lower-case/,
    );
    expect(() => defineEvent({ type: 'omni.x.v1', topic: 'bad topic', schema: Type.Object({}) })).toThrow(
      /invalid topic/,
    );
  });
});

describe('EventRegistry', () => {
  const registry = new EventRegistry().produces(OrderConfirmed).consumes(StockReserved);

  it('returns valid data typed', () => {
    const data = registry.validate(OrderConfirmed, {
      orderId: 'o1',
      total: 100,
      lines: [{ sku: 'A', qty: 1 }],
    });
    expect(data.lines[0]?.sku).toBe('A');
  });

  it('lists every bad field with its path', () => {
    let error: unknown;
    try {
      registry.validate(OrderConfirmed, {
        orderId: '',
        total: -1,
        lines: [{ sku: 'A', qty: 0 }, { qty: 2 }],
        extra: true,
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EventValidationError);
    const e = error as EventValidationError;
    expect(e.eventType).toBe('omni.orders.order.confirmed.v1');
    const paths = e.errors.map((x) => x.path).sort();
    expect(paths).toEqual(['/extra', '/lines/0/qty', '/lines/1/sku', '/orderId', '/total']);
    expect(e.errors.find((x) => x.path === '/lines/1/sku')?.message).toBe('is required');
    expect(e.errors.find((x) => x.path === '/extra')?.message).toBe('is not allowed');
    expect(e.message).toContain('/total must be >= 0');
  });

  it('rejects a non-object payload and unknown types', () => {
    expect(() => registry.validate(OrderConfirmed, 'nope')).toThrow(EventValidationError);
    expect(() => registry.validate('omni.unknown.thing.v1', {})).toThrow(UnknownEventTypeError);
  });

  it('refuses the same type with a different schema, accepts the same definition twice', () => {
    const clash = defineEvent({
      type: OrderConfirmed.type,
      topic: OrderConfirmed.topic,
      schema: Type.Object({ x: Type.String() }),
    });
    expect(() => new EventRegistry().register(OrderConfirmed).register(clash)).toThrow(/registered twice/);
    const r = new EventRegistry().produces(OrderConfirmed).consumes(OrderConfirmed);
    expect(r.rolesOf(OrderConfirmed.type).sort()).toEqual(['consumes', 'produces']);
    expect(r.topics()).toEqual(['omni.orders.order']);
  });
});

describe('toAsyncApi', () => {
  it('describes topics as channels and event types as messages with their schemas', () => {
    const registry = new EventRegistry().produces(OrderConfirmed).consumes(StockReserved);
    const doc = toAsyncApi(registry, {
      title: 'orders',
      version: '1.2.3',
      servers: { prod: { host: 'kafka:9092' } },
    }) as {
      asyncapi: string;
      info: { title: string; version: string };
      servers: Record<string, { protocol: string }>;
      channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
      operations: Record<string, { action: string; channel: { $ref: string } }>;
      components: {
        messages: Record<string, { name: string; summary?: string; payload: { $ref: string } }>;
        schemas: Record<string, unknown>;
      };
    };
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.info).toEqual({ title: 'orders', version: '1.2.3' });
    expect(doc.servers.prod?.protocol).toBe('kafka');
    expect(
      Object.values(doc.channels)
        .map((c) => c.address)
        .sort(),
    ).toEqual(['omni.inventory.stock', 'omni.orders.order']);
    const orderChannel = doc.channels['omni.orders.order']!;
    expect(orderChannel.messages['omni.orders.order.confirmed.v1']).toEqual({
      $ref: '#/components/messages/omni.orders.order.confirmed.v1',
    });
    const message = doc.components.messages['omni.orders.order.confirmed.v1']!;
    expect(message.name).toBe('omni.orders.order.confirmed.v1');
    expect(message.summary).toBe('An order was paid and confirmed');
    const payload = doc.components.schemas['omni.orders.order.confirmed.v1'] as {
      allOf: [unknown, { properties: { data: unknown; type: unknown } }];
    };
    expect(payload.allOf[0]).toEqual({ $ref: '#/components/schemas/CloudEventEnvelope' });
    expect(payload.allOf[1].properties.type).toEqual({ const: 'omni.orders.order.confirmed.v1' });
    expect(payload.allOf[1].properties.data).toMatchObject({
      type: 'object',
      required: ['orderId', 'total', 'lines'],
    });
    expect(doc.components.schemas.CloudEventEnvelope).toMatchObject({
      required: expect.arrayContaining(['specversion', 'id', 'subject']),
    });
    expect(doc.operations['send.omni.orders.order.confirmed.v1']).toMatchObject({
      action: 'send',
      channel: { $ref: '#/channels/omni.orders.order' },
    });
    expect(doc.operations['receive.omni.inventory.stock.reserved.v2']?.action).toBe('receive');
    // The document is plain JSON (no TypeBox symbols or functions).
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});
