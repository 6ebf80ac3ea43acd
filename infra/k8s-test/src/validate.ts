import { CRD_SCHEMAS, checkSchema, type Schema } from './crd-schemas';
import type { K8sObject } from './kustomize';
import { rangeErrors } from './ranges';
import { FieldChecker, type KindRef } from './strict-fields';

/**
 * Schema validation without a cluster, as strict as `kubectl apply --validate=strict` against a real
 * API server with the operators' CRDs installed:
 *   - built-in kinds: types and required fields against the Kubernetes OpenAPI schemas shipped
 *     (precompiled) by the npm package kubernetes-models, and unknown fields against the same
 *     package's type declarations (strict-fields.ts) — the schemas alone accept a misspelt
 *     `readinesProbe`;
 *   - custom resources (Strimzi KafkaTopic, prometheus-operator PrometheusRule): their published CRD
 *     schemas, restated in crd-schemas.ts, unknown fields rejected;
 *   - value ranges the API server checks in code (ports 1-65535, probe periods >= 1...): ranges.ts.
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

/** Strimzi's topic operator rejects names Kafka would (the CRD itself only says "string"). */
function kafkaTopicExtras(obj: K8sObject): string[] {
  const errors: string[] = [];
  if (!obj.metadata.labels?.['strimzi.io/cluster'])
    errors.push('metadata.labels: strimzi.io/cluster is required (which Kafka cluster)');
  const topicName = (obj.spec as { topicName?: unknown } | undefined)?.topicName;
  if (typeof topicName === 'string' && !/^[a-zA-Z0-9._-]{1,249}$/.test(topicName))
    errors.push('spec.topicName must be a legal Kafka topic name');
  return errors;
}

function validateCustomResource(
  obj: K8sObject,
  crd: { spec: Schema; required?: string[] },
  fields: FieldChecker,
): string[] {
  const errors: string[] = [];
  for (const key of crd.required ?? []) if (obj[key] === undefined) errors.push(`${key}: required`);
  for (const key of Object.keys(obj)) {
    if (!['apiVersion', 'kind', 'metadata', 'spec', 'status'].includes(key))
      errors.push(`${key}: unknown field`);
  }
  errors.push(...fields.unknownMetadataFields(obj.metadata).map((f) => `${f}: unknown field`));
  if (obj.spec !== undefined) errors.push(...checkSchema(obj.spec, crd.spec, 'spec'));
  if (obj.kind === 'KafkaTopic') errors.push(...kafkaTopicExtras(obj));
  return errors;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

let fieldChecker: FieldChecker | undefined;
let checkerKinds = new Set<string>();

/**
 * One FieldChecker for every built-in kind seen so far (building one takes a second or two, so it is
 * rebuilt only when a new built-in kind turns up; custom resources only need its ObjectMeta).
 */
async function fieldCheckerFor(objects: K8sObject[]): Promise<FieldChecker> {
  const kinds: string[] = [];
  for (const o of objects) {
    if (!o.apiVersion || !o.kind || CRD_SCHEMAS[`${o.apiVersion}/${o.kind}`]) continue;
    if (await modelFor(o.apiVersion, o.kind)) kinds.push(`${o.apiVersion}/${o.kind}`);
  }
  if (!fieldChecker || kinds.some((k) => !checkerKinds.has(k))) {
    checkerKinds = new Set([...checkerKinds, ...kinds]);
    const refs: KindRef[] = [...checkerKinds].map((k) => {
      const at = k.lastIndexOf('/');
      return { apiVersion: k.slice(0, at), kind: k.slice(at + 1) };
    });
    fieldChecker = new FieldChecker(refs);
  }
  return fieldChecker;
}

/** Problems of one object; empty when it is valid. */
export async function validateObject(obj: K8sObject, checker?: FieldChecker): Promise<string[]> {
  const where = `${obj.kind ?? '?'}/${obj.metadata?.name ?? '?'}`;
  if (!obj.apiVersion || !obj.kind || !obj.metadata?.name)
    return [`${where}: apiVersion, kind and metadata.name are required`];
  const fields = checker ?? (await fieldCheckerFor([obj]));
  const errors: string[] = [];
  if (obj.metadata.name.length > 253 || !DNS_SUBDOMAIN.test(obj.metadata.name)) {
    errors.push(`metadata.name "${obj.metadata.name}" is not a DNS subdomain name`);
  }
  const crd = CRD_SCHEMAS[`${obj.apiVersion}/${obj.kind}`];
  if (crd) {
    errors.push(...validateCustomResource(obj, crd, fields));
  } else {
    const model = await modelFor(obj.apiVersion, obj.kind);
    if (!model || !fields.has(obj)) {
      errors.push(
        `no schema for ${obj.apiVersion} ${obj.kind} (not a built-in kind of kubernetes-models, nor a known custom resource)`,
      );
    } else {
      try {
        new model(obj).validate();
      } catch (err) {
        errors.push((err as Error).message);
      }
      errors.push(...fields.unknownFields(obj).map((f) => `${f}: unknown field`));
    }
  }
  if (obj.spec !== undefined) errors.push(...rangeErrors(obj.spec, 'spec'));
  return errors.map((e) => `${where}: ${e}`);
}

export async function validateAll(objects: K8sObject[]): Promise<string[]> {
  const fields = await fieldCheckerFor(objects);
  const all: string[] = [];
  for (const obj of objects) all.push(...(await validateObject(obj, fields)));
  return all;
}
