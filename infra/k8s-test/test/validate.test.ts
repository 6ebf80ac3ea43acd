import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/generate';
import { parseDocuments, type K8sObject } from '../src/kustomize';
import { podTemplateOf, restrictedViolations } from '../src/pod-security';
import { validateAll } from '../src/validate';

/**
 * Negative tests of the validator itself: a check that never fails proves nothing. Each case takes a
 * valid committed object, breaks one thing the way a typo or a bad edit would, and expects exactly
 * that to be reported (the unbroken object validates clean in the same run).
 */

const load = (file: string) => parseDocuments(readFileSync(join(REPO_ROOT, file), 'utf8'), file);
const pick = (objs: K8sObject[], kind: string) => structuredClone(objs.find((o) => o.kind === kind)!);
const catalog = load('k8s/base/services/catalog.yaml');
const topics = load('k8s/overlays/prod/kafka-topics.yaml');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const container = (d: K8sObject): Json => (d as Json).spec.template.spec.containers[0];

async function problemsOf(broken: K8sObject): Promise<string[]> {
  return validateAll([broken]);
}

describe('strict validation rejects what the API server would reject or silently drop', () => {
  it('the committed objects used below are valid as they are', async () => {
    expect(await validateAll([...catalog, ...topics])).toEqual([]);
  });

  it('a misspelt field in a pod template (readinesProbe) is an unknown field', async () => {
    const d = pick(catalog, 'Deployment');
    container(d).readinesProbe = { httpGet: { path: '/readyz', port: 'http' } };
    expect(await problemsOf(d)).toEqual([
      'Deployment/catalog: spec.template.spec.containers[0].readinesProbe: unknown field',
    ]);
  });

  it('a misspelt field deeper down (httpGet.pth) and in metadata (lables) are unknown fields', async () => {
    const d = pick(catalog, 'Deployment');
    container(d).livenessProbe = { httpGet: { pth: '/livez', port: 'http' } };
    (d.metadata as Json).lables = { a: 'b' };
    expect((await problemsOf(d)).sort()).toEqual([
      'Deployment/catalog: metadata.lables: unknown field',
      'Deployment/catalog: spec.template.spec.containers[0].livenessProbe.httpGet.pth: unknown field',
    ]);
  });

  it('port 99999 is out of range as a container port, a Service port and a NetworkPolicy port', async () => {
    const d = pick(catalog, 'Deployment');
    container(d).ports[0].containerPort = 99999;
    const s = pick(catalog, 'Service');
    (s as Json).spec.ports[0].port = 99999;
    const n = pick(catalog, 'NetworkPolicy');
    (n as Json).spec.ingress[0].ports[0].port = 99999;
    expect(await validateAll([d, s, n])).toEqual([
      'Deployment/catalog: spec.template.spec.containers[0].ports[0].containerPort: 99999 is not a port (1-65535)',
      'Service/catalog: spec.ports[0].port: 99999 is not a port (1-65535)',
      'NetworkPolicy/catalog: spec.ingress[0].ports[0].port: 99999 is not a port (1-65535)',
    ]);
  });

  it('a probe period of 0, a port name longer than 15 characters and maxReplicas below minReplicas fail', async () => {
    const d = pick(catalog, 'Deployment');
    container(d).readinessProbe = {
      httpGet: { path: '/readyz', port: 'http-port-too-long' },
      periodSeconds: 0,
    };
    const h = pick(catalog, 'HorizontalPodAutoscaler');
    (h as Json).spec.maxReplicas = 1;
    (h as Json).spec.minReplicas = 3;
    expect(await validateAll([d, h])).toEqual([
      'Deployment/catalog: spec.template.spec.containers[0].readinessProbe.httpGet.port: "http-port-too-long" is not a port name (IANA_SVC_NAME)',
      'Deployment/catalog: spec.template.spec.containers[0].readinessProbe.periodSeconds: must be an integer >= 1',
      'HorizontalPodAutoscaler/catalog: spec.maxReplicas: 1 is below minReplicas 3',
    ]);
  });

  it('a wrong type is still caught by the Kubernetes schema (replicas as a string)', async () => {
    const d = pick(catalog, 'Deployment');
    (d as Json).spec.replicas = 'three';
    const problems = await problemsOf(d);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Deployment\/catalog: .*replicas/);
  });

  it('Strimzi KafkaTopic: a misspelt spec field, 0 partitions and 40000 replicas fail its CRD schema', async () => {
    const t = pick(topics, 'KafkaTopic');
    const spec = t.spec as Json;
    spec.partitons = 8;
    spec.partitions = 0;
    spec.replicas = 40000;
    expect(await problemsOf(t)).toEqual([
      `KafkaTopic/${t.metadata.name}: spec.partitions: must be >= 1`,
      `KafkaTopic/${t.metadata.name}: spec.replicas: must be <= 32767`,
      `KafkaTopic/${t.metadata.name}: spec.partitons: unknown field`,
    ]);
  });

  it('PrometheusRule: a misspelt rule field, a missing expr and a bad duration fail its CRD schema', async () => {
    const rule: K8sObject = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'broken' },
      spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expresion: 'up == 0', for: '5 minutes' }] }] },
    };
    expect(await problemsOf(rule)).toEqual([
      'PrometheusRule/broken: spec.groups[0].rules[0].expr: required',
      'PrometheusRule/broken: spec.groups[0].rules[0].expresion: unknown field',
      'PrometheusRule/broken: spec.groups[0].rules[0].for: "5 minutes" does not match /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/',
    ]);
  });

  it('a kind with no schema at all is an error, not a pass', async () => {
    const x: K8sObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    expect(await problemsOf(x)).toEqual([
      'Widget/w: no schema for example.com/v1 Widget (not a built-in kind of kubernetes-models, nor a known custom resource)',
    ]);
  });
});

describe('the "restricted" Pod Security check rejects what admission would', () => {
  it("an Omni pod passes; a pod like Strimzi's defaults (no seccomp, capabilities kept, root allowed) fails", () => {
    const d = pick(catalog, 'Deployment');
    // The committed Deployment gets its security context from the shared patch: add it as rendered.
    const pod = (d as Json).spec.template.spec;
    pod.securityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
    container(d).securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
    expect(restrictedViolations(podTemplateOf(d)!)).toEqual([]);

    const broker = {
      containers: [{ name: 'kafka', securityContext: {} }],
      volumes: [{ name: 'data', hostPath: {} }],
    };
    expect(restrictedViolations(broker)).toEqual([
      'volume data: hostPath',
      'container kafka: allowPrivilegeEscalation must be false',
      'container kafka: runAsNonRoot must be true',
      'container kafka: seccompProfile must be RuntimeDefault or Localhost',
      'container kafka: capabilities must drop ALL',
    ]);
  });
});
