import type { Static, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';

/**
 * Event definitions and the per-service registry.
 *
 * An event type is `<topic>.<event>.v<N>` by convention (e.g. `omni.orders.order.confirmed.v1` on
 * topic `omni.orders.order`); the `.vN` suffix is required. A breaking change of `data` is a new
 * type (`.v2`) published next to the old one until every consumer moved.
 */

const TYPE_PATTERN = /^[a-z][a-z0-9]*(\.[a-z][a-z0-9_-]*)*\.v([1-9][0-9]*)$/;
const TOPIC_PATTERN = /^[a-zA-Z0-9._-]{1,249}$/;

export interface EventDefinition<S extends TSchema = TSchema> {
  /** Versioned CloudEvents type, e.g. `omni.orders.order.confirmed.v1`. */
  readonly type: string;
  /** Topic the event is published on (one per aggregate); the subject (aggregate id) is the key. */
  readonly topic: string;
  /** TypeBox schema of `data`. */
  readonly schema: S;
  readonly description: string;
  /** N of the `.vN` suffix. */
  readonly version: number;
}

/** The TypeScript type of an event definition's `data`. */
export type EventData<D extends EventDefinition> = D extends EventDefinition<infer S> ? Static<S> : never;

export function defineEvent<S extends TSchema>(spec: {
  type: string;
  topic: string;
  schema: S;
  description?: string;
}): EventDefinition<S> {
  const match = TYPE_PATTERN.exec(spec.type);
  if (!match) {
    throw new Error(
      `invalid event type "${spec.type}": expected lower-case dotted name ending in .vN, e.g. omni.orders.order.confirmed.v1`,
    );
  }
  if (!TOPIC_PATTERN.test(spec.topic)) throw new Error(`invalid topic "${spec.topic}" for ${spec.type}`);
  return Object.freeze({
    type: spec.type,
    topic: spec.topic,
    schema: spec.schema,
    description: spec.description ?? '',
    version: Number(match[2]),
  });
}

export interface FieldError {
  /** JSON pointer into `data`, e.g. `/lines/0/qty` ("" for the whole payload). */
  path: string;
  message: string;
}

/** `data` does not match the event's schema. Never retried: the payload will not get better. */
export class EventValidationError extends Error {
  constructor(
    readonly eventType: string,
    readonly errors: FieldError[],
  ) {
    super(`invalid data for ${eventType}: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`);
    this.name = 'EventValidationError';
  }
}

/** Thrown when a type is used that the registry does not know. */
export class UnknownEventTypeError extends Error {
  constructor(readonly eventType: string) {
    super(`event type ${eventType} is not registered`);
    this.name = 'UnknownEventTypeError';
  }
}

type Role = 'produces' | 'consumes';

interface Entry {
  def: EventDefinition;
  roles: Set<Role>;
  validator?: Validator;
}

/**
 * The events one service knows: those it produces (outbox enqueue validates against them) and
 * those it consumes (the consumer validates incoming data). Also the source of the AsyncAPI doc.
 */
export class EventRegistry {
  private readonly entries = new Map<string, Entry>();

  /** Registers events this service publishes. */
  produces(...defs: EventDefinition[]): this {
    for (const def of defs) this.add(def, 'produces');
    return this;
  }

  /** Registers events this service handles. */
  consumes(...defs: EventDefinition[]): this {
    for (const def of defs) this.add(def, 'consumes');
    return this;
  }

  /** Registers events without a role (e.g. a shared catalogue). */
  register(...defs: EventDefinition[]): this {
    for (const def of defs) this.add(def);
    return this;
  }

  get(type: string): EventDefinition | undefined {
    return this.entries.get(type)?.def;
  }

  has(type: string): boolean {
    return this.entries.has(type);
  }

  definitions(): EventDefinition[] {
    return [...this.entries.values()].map((e) => e.def);
  }

  /** Roles the service declared for `type` (empty when registered without a role). */
  rolesOf(type: string): Role[] {
    return [...(this.entries.get(type)?.roles ?? [])];
  }

  /** Distinct topics of all registered events, sorted. */
  topics(): string[] {
    return [...new Set(this.definitions().map((d) => d.topic))].sort();
  }

  /**
   * Checks `data` against the schema of `type` (a definition or its name). Returns the data typed;
   * throws EventValidationError listing every bad field, or UnknownEventTypeError.
   */
  validate<D extends EventDefinition>(def: D, data: unknown): EventData<D>;
  validate(type: string, data: unknown): unknown;
  validate(defOrType: EventDefinition | string, data: unknown): unknown {
    const type = typeof defOrType === 'string' ? defOrType : defOrType.type;
    const entry = this.entries.get(type);
    if (!entry) throw new UnknownEventTypeError(type);
    entry.validator ??= Compile(entry.def.schema);
    if (entry.validator.Check(data)) return data;
    throw new EventValidationError(type, fieldErrors(entry.validator, data));
  }

  private add(def: EventDefinition, role?: Role): void {
    const existing = this.entries.get(def.type);
    if (existing) {
      if (existing.def !== def && !sameDefinition(existing.def, def)) {
        throw new Error(`event type ${def.type} registered twice with different topic or schema`);
      }
      if (role) existing.roles.add(role);
      return;
    }
    this.entries.set(def.type, { def, roles: new Set(role ? [role] : []) });
  }
}

function sameDefinition(a: EventDefinition, b: EventDefinition): boolean {
  return a.topic === b.topic && JSON.stringify(a.schema) === JSON.stringify(b.schema);
}

/** TypeBox errors → one entry per bad field, with the missing/extra property names in the path. */
function fieldErrors(validator: Validator, data: unknown): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  const push = (path: string, message: string): void => {
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ path, message });
  };
  for (const error of validator.Errors(data)) {
    if (error.keyword === 'required') {
      for (const name of error.params.requiredProperties)
        push(`${error.instancePath}/${name}`, 'is required');
    } else if (error.keyword === 'additionalProperties') {
      for (const name of error.params.additionalProperties)
        push(`${error.instancePath}/${name}`, 'is not allowed');
    } else if (error.keyword === 'boolean' && error.schemaPath.endsWith('/additionalProperties')) {
      // Duplicate of the additionalProperties error above, reported once per extra property.
      continue;
    } else {
      push(error.instancePath, error.message);
    }
  }
  if (out.length === 0) out.push({ path: '', message: 'does not match the schema' });
  return out;
}

// ---------------------------------------------------------------------------------------------
// AsyncAPI

export interface AsyncApiOptions {
  title: string;
  version: string;
  description?: string;
  /** Kafka servers to list, e.g. `{ production: { host: 'kafka:9092' } }`. */
  servers?: Record<string, { host: string; description?: string }>;
}

/** JSON-safe object (no symbols or TypeBox internals). */
type Json = Record<string, unknown>;

function plainSchema(schema: TSchema): Json {
  return JSON.parse(JSON.stringify(schema)) as Json;
}

/** Component ids must match ^[A-Za-z0-9._-]+$; topic and type names already do, but be safe. */
function componentId(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** The CloudEvents 1.0 structured-mode envelope every message uses, as a JSON schema. */
export const cloudEventEnvelopeSchema: Json = {
  type: 'object',
  description:
    'CloudEvents 1.0 envelope (structured mode, JSON) plus W3C trace context. The Kafka message key is `subject`.',
  required: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'data'],
  properties: {
    specversion: { const: '1.0' },
    id: { type: 'string', description: 'Unique event id (time-ordered); consumers deduplicate on it.' },
    source: { type: 'string', description: 'Producing service, e.g. /omni/orders.' },
    type: { type: 'string', description: 'Versioned event type (suffix .vN).' },
    subject: { type: 'string', description: 'Aggregate id; also the partition key.' },
    time: { type: 'string', format: 'date-time' },
    datacontenttype: { const: 'application/json' },
    traceparent: { type: 'string', description: 'W3C traceparent of the producing span.' },
    tracestate: { type: 'string' },
    data: { description: 'Event payload; see the message schema.' },
  },
};

/**
 * AsyncAPI 3.0 document for the registry: one channel per topic, one message per event type
 * (payload = the CloudEvents envelope with `type` fixed and `data` = the event's schema), and a
 * send/receive operation per role the service declared.
 */
export function toAsyncApi(registry: EventRegistry, opts: AsyncApiOptions): Json {
  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {};
  const schemas: Json = { CloudEventEnvelope: cloudEventEnvelopeSchema };

  const defs = registry.definitions().sort((a, b) => a.type.localeCompare(b.type));
  for (const def of defs) {
    const channelId = componentId(def.topic);
    const messageId = componentId(def.type);
    const channel = (channels[channelId] ??= { address: def.topic, messages: {} }) as { messages: Json };
    channel.messages[messageId] = { $ref: `#/components/messages/${messageId}` };

    schemas[messageId] = {
      allOf: [
        { $ref: '#/components/schemas/CloudEventEnvelope' },
        {
          type: 'object',
          properties: { type: { const: def.type }, data: plainSchema(def.schema) },
        },
      ],
    };
    messages[messageId] = {
      name: def.type,
      title: def.type,
      ...(def.description ? { summary: def.description } : {}),
      contentType: 'application/cloudevents+json',
      payload: { $ref: `#/components/schemas/${messageId}` },
      headers: {
        type: 'object',
        properties: {
          traceparent: {
            type: 'string',
            description: 'Copy of the envelope traceparent (for instrumentation).',
          },
          tracestate: { type: 'string' },
          ce_type: { type: 'string', const: def.type },
          ce_id: { type: 'string' },
        },
      },
      bindings: {
        kafka: {
          key: { type: 'string', description: 'Aggregate id (CloudEvent subject).' },
          bindingVersion: '0.5.0',
        },
      },
      'x-event-version': def.version,
    };

    for (const role of registry.rolesOf(def.type)) {
      const action = role === 'produces' ? 'send' : 'receive';
      operations[`${action}.${messageId}`] = {
        action,
        channel: { $ref: `#/channels/${channelId}` },
        messages: [{ $ref: `#/channels/${channelId}/messages/${messageId}` }],
      };
    }
  }

  const doc: Json = {
    asyncapi: '3.0.0',
    info: {
      title: opts.title,
      version: opts.version,
      ...(opts.description ? { description: opts.description } : {}),
    },
    defaultContentType: 'application/cloudevents+json',
  };
  if (opts.servers) {
    doc.servers = Object.fromEntries(
      Object.entries(opts.servers).map(([id, s]) => [
        id,
        { host: s.host, protocol: 'kafka', ...(s.description ? { description: s.description } : {}) },
      ]),
    );
  }
  doc.channels = channels;
  doc.operations = operations;
  doc.components = { messages, schemas };
  return doc;
}
