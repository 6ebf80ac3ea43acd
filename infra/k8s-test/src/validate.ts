import type { K8sObject } from './kustomize';

/**
 * Schema validation without a cluster: built-in kinds against the Kubernetes OpenAPI schemas shipped
 * (precompiled) by the npm package kubernetes-models; the one custom resource Omni ships, Strimzi's
 * KafkaTopic, against its documented v1beta2 spec, written out below.
 *
 * The Kubernetes schemas do not forbid unknown fields (a misspelt `readinesProbe` passes), so the
 * tests also assert the fields that matter are present (probes, security context, resources...).
 */

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: object) => Validatable;

const modelCache = new Map<string, ModelClass>();

/** kubernetes-models lays its classes out as <group>/<version>/<Kind> (core group: v1/<Kind>). */
async function modelFor(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const key = `${apiVersion}/${kind}`;
  const cached = modelCache.get(key);
  if (cached) return cached;
  try {
    const mod = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<string, unknown>;
    const model = mod[kind] as ModelClass | undefined;
    if (model) modelCache.set(key, model);
    return model;
  } catch {
    return undefined;
  }
}

const KAFKA_TOPIC_SPEC_FIELDS = new Set(['partitions', 'replicas', 'config', 'topicName']);

function validateKafkaTopic(obj: K8sObject): string[] {
  const errors: string[] = [];
  if (obj.apiVersion !== 'kafka.strimzi.io/v1beta2')
    errors.push(`apiVersion ${obj.apiVersion} is not kafka.strimzi.io/v1beta2`);
  if (!obj.metadata.labels?.['strimzi.io/cluster'])
    errors.push('metadata.labels: strimzi.io/cluster is required (which Kafka cluster)');
  const spec = obj.spec as Record<string, unknown> | undefined;
  if (!spec || typeof spec !== 'object') return [...errors, 'spec is required'];
  for (const key of Object.keys(spec))
    if (!KAFKA_TOPIC_SPEC_FIELDS.has(key)) errors.push(`spec.${key} is not a KafkaTopic field`);
  const { partitions, replicas, topicName, config } = spec;
  if (!Number.isInteger(partitions) || (partitions as number) < 1)
    errors.push('spec.partitions must be an integer >= 1');
  if (!Number.isInteger(replicas) || (replicas as number) < 1 || (replicas as number) > 32767) {
    errors.push('spec.replicas must be an integer in 1..32767');
  }
  if (
    topicName !== undefined &&
    (typeof topicName !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(topicName))
  ) {
    errors.push('spec.topicName must be a legal Kafka topic name');
  }
  if (config !== undefined) {
    if (typeof config !== 'object' || config === null || Array.isArray(config))
      errors.push('spec.config must be a map');
    else {
      for (const [k, v] of Object.entries(config)) {
        if (!['string', 'number', 'boolean'].includes(typeof v))
          errors.push(`spec.config.${k} must be a string, number or boolean`);
      }
    }
  }
  return errors;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Problems of one object; empty when it is valid. */
export async function validateObject(obj: K8sObject): Promise<string[]> {
  const where = `${obj.kind ?? '?'}/${obj.metadata?.name ?? '?'}`;
  if (!obj.apiVersion || !obj.kind || !obj.metadata?.name)
    return [`${where}: apiVersion, kind and metadata.name are required`];
  const errors: string[] = [];
  if (obj.metadata.name.length > 253 || !DNS_SUBDOMAIN.test(obj.metadata.name)) {
    errors.push(`metadata.name "${obj.metadata.name}" is not a DNS subdomain name`);
  }
  if (obj.kind === 'KafkaTopic') {
    errors.push(...validateKafkaTopic(obj));
  } else {
    const model = await modelFor(obj.apiVersion, obj.kind);
    if (!model) {
      errors.push(
        `no schema for ${obj.apiVersion} ${obj.kind} (not a built-in kind of kubernetes-models, nor a known custom resource)`,
      );
    } else {
      try {
        new model(obj).validate();
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
  }
  return errors.map((e) => `${where}: ${e}`);
}

export async function validateAll(objects: K8sObject[]): Promise<string[]> {
  const all: string[] = [];
  for (const obj of objects) all.push(...(await validateObject(obj)));
  return all;
}
