/**
 * The custom resources Omni ships, checked as the API server checks them once their CRD is installed
 * (structural schema) plus field validation "Strict" (`kubectl apply --validate=strict`): an unknown
 * field is an error, not silently pruned.
 *
 * No npm package that this workspace can use ships these schemas (see k8s/README.md, "Validation"),
 * so the spec part of each published CRD is restated below — field names, types and bounds only,
 * descriptions left out. Sources, to re-check on an operator upgrade:
 *   KafkaTopic      Strimzi, packaging/install/cluster-operator/043-Crd-kafkatopic.yaml (v1beta2)
 *   PrometheusRule  prometheus-operator, example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml (v1, operator 0.82)
 */

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, Schema>;
  /** Schema of every value of a map (`additionalProperties` in OpenAPI). */
  values?: Schema;
  items?: Schema;
  required?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: RegExp;
  enum?: string[];
  /** x-kubernetes-int-or-string. */
  intOrString?: boolean;
  /** x-kubernetes-preserve-unknown-fields: any content. */
  preserveUnknown?: boolean;
}

/** Prometheus durations as the CRD's pattern allows them (1h30m, 5m, 0). */
const DURATION =
  /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
const stringMap: Schema = { type: 'object', values: { type: 'string' } };

export const CRD_SCHEMAS: Record<string, { spec: Schema; required?: string[] }> = {
  'kafka.strimzi.io/v1beta2/KafkaTopic': {
    spec: {
      type: 'object',
      properties: {
        partitions: { type: 'integer', minimum: 1 },
        replicas: { type: 'integer', minimum: 1, maximum: 32767 },
        config: { type: 'object', preserveUnknown: true },
        topicName: { type: 'string' },
      },
    },
  },
  'monitoring.coreos.com/v1/PrometheusRule': {
    required: ['spec'],
    spec: {
      type: 'object',
      properties: {
        groups: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name'],
            properties: {
              name: { type: 'string', minLength: 1 },
              interval: { type: 'string', pattern: DURATION },
              labels: stringMap,
              limit: { type: 'integer' },
              partial_response_strategy: { type: 'string', pattern: /^(abort|warn)?$/i },
              query_offset: { type: 'string', pattern: DURATION },
              rules: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['expr'],
                  properties: {
                    alert: { type: 'string' },
                    record: { type: 'string' },
                    expr: { intOrString: true },
                    for: { type: 'string', pattern: DURATION },
                    keep_firing_for: { type: 'string', minLength: 1, pattern: DURATION },
                    labels: stringMap,
                    annotations: stringMap,
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Problems of `value` against `schema`, each prefixed with its path. */
export function checkSchema(value: unknown, schema: Schema, path: string): string[] {
  const errors: string[] = [];
  const actual = typeOf(value);
  if (schema.preserveUnknown && schema.type === 'object') {
    if (actual !== 'object') errors.push(`${path}: must be an object`);
    return errors;
  }
  if (schema.intOrString) {
    if (actual !== 'integer' && actual !== 'string') errors.push(`${path}: must be an integer or a string`);
    return errors;
  }
  if (schema.type && actual !== schema.type && !(schema.type === 'number' && actual === 'integer')) {
    return [
      `${path}: must be ${schema.type === 'integer' ? 'an integer' : `a ${schema.type}`}, is ${actual}`,
    ];
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      errors.push(`${path}: must be >= ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      errors.push(`${path}: must be <= ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      errors.push(`${path}: must not be empty`);
    if (schema.pattern && !schema.pattern.test(value))
      errors.push(`${path}: "${value}" does not match ${String(schema.pattern)}`);
    if (schema.enum && !schema.enum.includes(value))
      errors.push(`${path}: must be one of ${schema.enum.join(', ')}`);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) => errors.push(...checkSchema(v, schema.items!, `${path}[${i}]`)));
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? [])
      if (obj[key] === undefined) errors.push(`${path}.${key}: required`);
    for (const [key, child] of Object.entries(obj)) {
      const sub = schema.properties?.[key] ?? schema.values;
      if (!sub) errors.push(`${path}.${key}: unknown field`);
      else errors.push(...checkSchema(child, sub, `${path}.${key}`));
    }
  }
  return errors;
}
