import {
  createTraceState,
  propagation,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type SpanContext,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import {
  contextFromEvent,
  createEvent,
  defineEvent,
  EventParseError,
  parseEvent,
  toBusMessage,
} from '../src';

const PickupReady = defineEvent({
  type: 'omni.pickup.task.ready.v1',
  topic: 'omni.pickup.task',
  schema: Type.Object({ taskId: Type.String(), storeId: Type.String() }),
});

const producerSpan: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
  traceState: createTraceState('vendor=abc'),
};
const producerContext = trace.setSpanContext(ROOT_CONTEXT, producerSpan);

describe('createEvent / parseEvent', () => {
  it('builds a CloudEvent with a time-ordered id, ISO time and the subject as key', () => {
    const a = createEvent(PickupReady, {
      subject: 'task-1',
      source: '/omni/pickup',
      data: { taskId: 'task-1', storeId: 's1' },
    });
    const b = createEvent(PickupReady, {
      subject: 'task-1',
      source: '/omni/pickup',
      data: { taskId: 'task-1', storeId: 's1' },
    });
    expect(a).toMatchObject({
      specversion: '1.0',
      type: 'omni.pickup.task.ready.v1',
      subject: 'task-1',
      source: '/omni/pickup',
      datacontenttype: 'application/json',
    });
    expect(a.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(b.id > a.id).toBe(true);
    expect(new Date(a.time).toISOString()).toBe(a.time);
    expect(a.traceparent).toBeUndefined(); // no active span

    const msg = toBusMessage(a);
    expect(msg.key).toBe('task-1');
    expect(msg.headers).toMatchObject({ ce_type: a.type, ce_id: a.id });
    expect(parseEvent(msg.value)).toEqual(a);
  });

  it('rejects what is not a CloudEvent', () => {
    expect(() => parseEvent('{not json')).toThrow(EventParseError);
    expect(() => parseEvent('[]')).toThrow(/object/);
    const ok = createEvent(PickupReady, { subject: 's', source: '/x', data: { taskId: 't', storeId: 's' } });
    expect(() => parseEvent({ ...ok, specversion: '0.3' })).toThrow(/specversion/);
    expect(() => parseEvent({ ...ok, subject: '' })).toThrow(/subject/);
    expect(() => parseEvent({ ...ok, time: 'yesterday' })).toThrow(/time/);
    const { data: _data, ...noData } = ok;
    expect(() => parseEvent(noData)).toThrow(/data/);
  });
});

describe('trace context across the bus', () => {
  afterEach(() => propagation.disable());

  function roundTrip(): SpanContext | undefined {
    const event = createEvent(PickupReady, {
      subject: 'task-1',
      source: '/omni/pickup',
      data: { taskId: 'task-1', storeId: 's1' },
      context: producerContext,
    });
    expect(event.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(event.tracestate).toBe('vendor=abc');
    const consumed = parseEvent(JSON.stringify(event));
    return trace.getSpanContext(contextFromEvent(consumed, ROOT_CONTEXT));
  }

  it('round-trips without any propagator registered (no SDK)', () => {
    const remote = roundTrip();
    expect(remote).toMatchObject({
      traceId: producerSpan.traceId,
      spanId: producerSpan.spanId,
      traceFlags: 1,
      isRemote: true,
    });
    expect(remote?.traceState?.get('vendor')).toBe('abc');
  });

  it('round-trips through the registered W3C propagator (SDK installed)', () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const remote = roundTrip();
    expect(remote).toMatchObject({
      traceId: producerSpan.traceId,
      spanId: producerSpan.spanId,
      traceFlags: 1,
      isRemote: true,
    });
    expect(remote?.traceState?.serialize()).toBe('vendor=abc');
  });

  it('ignores a missing or malformed traceparent', () => {
    expect(contextFromEvent({}, ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
    expect(contextFromEvent({ traceparent: 'garbage' }, ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
    expect(
      contextFromEvent(
        { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' },
        ROOT_CONTEXT,
      ),
    ).toBe(ROOT_CONTEXT);
  });
});
