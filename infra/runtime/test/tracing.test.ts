import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { addSpanProcessor, initTracing } from '@omni/kit';
import type { System } from '../src';
import { startDemoSystem } from './support';
import { eventually } from '../src/demo/client';
import { skusInStock, waitForStatus, type DemoContext } from '../src/demo/flows';

/**
 * One trace from the storefront's HTTP request to the pickup service's consumer: orders (HTTP) →
 * catalog and inventory (gRPC) → outbox → event bus → pickup, checked on the recorded span tree.
 */
initTracing({ serviceName: 'omni-test' });
const exporter = new InMemorySpanExporter();
addSpanProcessor(new SimpleSpanProcessor(exporter));

let sys: System;
let ctx: DemoContext;
beforeAll(async () => {
  ({ sys, ctx } = await startDemoSystem());
}, 120_000);
afterAll(async () => sys?.stop());

describe('distributed tracing across HTTP, gRPC and the event bus', () => {
  it('joins the storefront request, the gRPC calls and the pickup consumer in one trace', async () => {
    const [item] = await skusInStock(ctx, 'S01', 2);
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const customer = ctx.customers[0]!;
    const res = await fetch(`${sys.urls.orders}/v1/orders`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ctx.tokens[`customer:${customer.customerId}`]}`,
        'content-type': 'application/json',
        'idempotency-key': 'trace-test-1',
        traceparent: `00-${traceId}-b7ad6b7169203331-01`,
      },
      body: JSON.stringify({
        channel: 'online',
        lines: [{ sku: item!.sku, qty: 1 }],
        fulfilment: { method: 'pickup', storeId: 'S01' },
        payment: { method: 'card', cardToken: 'tok_visa' },
      }),
    });
    expect(res.status).toBeLessThan(300);
    const order = (await res.json()) as { id: string };
    await waitForStatus(ctx, order.id, ['confirmed']);

    const spans = await eventually('the pickup consumer span in the trace', async () => {
      const mine = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      return mine.some(isPickupConsumer) ? mine : undefined;
    });
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (s: ReadableSpan) => byId.get(s.parentSpanContext?.spanId ?? '');
    const names = spans.map((s) => `${instrumentation(s)}:${s.name}`);

    const http = spans.find((s) => s.name === 'POST /v1/orders');
    expect(http, names.join('\n')).toBeDefined();
    expect(http!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    const reserveClient = spans.find(
      (s) => s.name.endsWith('InventoryService/Reserve') && instrumentation(s) === 'omni-grpc-client',
    );
    const reserveServer = spans.find(
      (s) => s.name.endsWith('InventoryService/Reserve') && instrumentation(s) === 'omni-inventory',
    );
    expect(reserveClient, names.join('\n')).toBeDefined();
    expect(parentOf(reserveServer!)).toBe(reserveClient);
    const getSkus = spans.find(
      (s) => s.name.endsWith('CatalogService/GetSkus') && instrumentation(s) === 'omni-catalog',
    );
    expect(getSkus, names.join('\n')).toBeDefined();
    // The consumer in pickup continues the trace of the request that produced the event.
    const consumer = spans.find(isPickupConsumer);
    expect(consumer?.attributes['cloudevents.event_type']).toBe('omni.orders.order.confirmed.v1');
    expect(consumer, names.join('\n')).toBeDefined();
    let root: ReadableSpan | undefined = consumer;
    while (root && parentOf(root)) root = parentOf(root);
    expect(root).toBe(http);
  });
});

/** The pickup service handling an orders event (a CONSUMER span of the events library). */
function isPickupConsumer(s: ReadableSpan): boolean {
  return (
    instrumentation(s) === 'omni-events' &&
    s.attributes['messaging.consumer.group.name'] === 'pickup' &&
    s.attributes['messaging.destination.name'] === 'omni.orders.order'
  );
}

function instrumentation(s: ReadableSpan): string {
  const scope = s as unknown as {
    instrumentationScope?: { name: string };
    instrumentationLibrary?: { name: string };
  };
  return scope.instrumentationScope?.name ?? scope.instrumentationLibrary?.name ?? '';
}
