import type { K8sObject } from './kustomize';

/**
 * A small NetworkPolicy evaluator (the Kubernetes semantics, for what k8s/ uses: matchLabels
 * selectors, namespace/pod peers, numbered and named ports), so the tests can ask "may orders reach
 * inventory's gRPC port?" of the rendered manifests instead of re-reading YAML by eye.
 */

export interface Pod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Container port name → number (for named ports in policies). */
  ports: Record<string, number>;
}

type Labels = Record<string, string>;
interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: unknown[];
}
interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
}
interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: PolicyPort[];
}
interface PolicySpec {
  podSelector: LabelSelector;
  policyTypes?: string[];
  ingress?: Rule[];
  egress?: Rule[];
}

function matches(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  if (selector.matchExpressions?.length)
    throw new Error('matchExpressions are not supported by this evaluator');
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

function namespaceLabels(namespace: string): Labels {
  return { 'kubernetes.io/metadata.name': namespace };
}

export class NetworkModel {
  private readonly policies: Array<{ namespace: string; spec: PolicySpec; name: string }>;

  constructor(objects: K8sObject[], defaultNamespace: string) {
    this.policies = objects
      .filter((o) => o.kind === 'NetworkPolicy')
      .map((o) => ({
        namespace: o.metadata.namespace ?? defaultNamespace,
        spec: o.spec as PolicySpec,
        name: o.metadata.name,
      }));
    for (const p of this.policies) {
      for (const rule of [...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])]) {
        for (const peer of [...(rule.from ?? []), ...(rule.to ?? [])]) {
          if (peer.ipBlock)
            throw new Error(`NetworkPolicy ${p.name}: ipBlock is not supported by this evaluator`);
        }
      }
    }
  }

  private policyTypes(spec: PolicySpec): string[] {
    if (spec.policyTypes) return spec.policyTypes;
    return spec.egress ? ['Ingress', 'Egress'] : ['Ingress'];
  }

  private peerMatches(peer: Peer, policyNamespace: string, other: Pod): boolean {
    if (peer.namespaceSelector) {
      return (
        matches(peer.namespaceSelector, namespaceLabels(other.namespace)) &&
        matches(peer.podSelector, other.labels)
      );
    }
    // A podSelector alone selects pods of the policy's own namespace.
    return other.namespace === policyNamespace && matches(peer.podSelector, other.labels);
  }

  private portMatches(ports: PolicyPort[] | undefined, target: Pod, port: number, protocol: string): boolean {
    if (!ports || ports.length === 0) return true;
    return ports.some((p) => {
      if ((p.protocol ?? 'TCP') !== protocol) return false;
      if (p.port === undefined) return true;
      const number = typeof p.port === 'string' ? target.ports[p.port] : p.port;
      if (number === undefined) return false;
      return p.endPort !== undefined ? port >= number && port <= p.endPort : port === number;
    });
  }

  private allowedBy(
    direction: 'Ingress' | 'Egress',
    subject: Pod,
    other: Pod,
    target: Pod,
    port: number,
    protocol: string,
  ) {
    const selecting = this.policies.filter(
      (p) =>
        p.namespace === subject.namespace &&
        this.policyTypes(p.spec).includes(direction) &&
        matches(p.spec.podSelector, subject.labels),
    );
    if (selecting.length === 0) return true; // not isolated in this direction
    return selecting.some((p) => {
      const rules = (direction === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? [];
      return rules.some((rule) => {
        const peers = direction === 'Ingress' ? rule.from : rule.to;
        const peerOk =
          !peers || peers.length === 0 || peers.some((peer) => this.peerMatches(peer, p.namespace, other));
        return peerOk && this.portMatches(rule.ports, target, port, protocol);
      });
    });
  }

  /** May `from` open a connection to `to` on `port`? Both sides' policies must allow it. */
  allows(from: Pod, to: Pod, port: number, protocol = 'TCP'): boolean {
    return (
      this.allowedBy('Egress', from, to, to, port, protocol) &&
      this.allowedBy('Ingress', to, from, to, port, protocol)
    );
  }
}

/** The pods the rendered workloads would run (one per pod template). */
export function podsOf(objects: K8sObject[], defaultNamespace: string): Pod[] {
  const pods: Pod[] = [];
  for (const o of objects) {
    if (!['Deployment', 'StatefulSet', 'Job'].includes(o.kind)) continue;
    const template = (
      o.spec as {
        template: {
          metadata?: { labels?: Labels };
          spec: { containers: Array<{ ports?: Array<{ name?: string; containerPort: number }> }> };
        };
      }
    ).template;
    const ports: Record<string, number> = {};
    for (const c of template.spec.containers)
      for (const p of c.ports ?? []) if (p.name) ports[p.name] = p.containerPort;
    pods.push({
      name: o.metadata.name,
      namespace: o.metadata.namespace ?? defaultNamespace,
      labels: template.metadata?.labels ?? {},
      ports,
    });
  }
  return pods;
}
