import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../src/generate';
import { IDENTITY, SERVICES } from '../src/services';

// No Docker engine here: this checks docker-compose.yml as data against the same service table as k8s/.

interface ComposeService {
  build?: { context: string; args?: Record<string, string> };
  image?: string;
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
  read_only?: boolean;
  cap_drop?: string[];
  tmpfs?: string[];
}

const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const prometheus = readFileSync(join(REPO_ROOT, 'infra/otel/prometheus.yml'), 'utf8');

describe('docker-compose.yml', () => {
  it('runs every service from the Dockerfile with its own ports, Kafka, MongoDB, identity and a /readyz health check', () => {
    for (const svc of SERVICES) {
      const c = compose.services[svc.name];
      expect(c, svc.name).toBeDefined();
      expect(c!.build, svc.name).toEqual({ context: '.', args: { SERVICE: svc.name } });
      const ports = [
        `${svc.httpPort}:${svc.httpPort}`,
        ...(svc.grpcPort ? [`${svc.grpcPort}:${svc.grpcPort}`] : []),
      ];
      expect(c!.ports, svc.name).toEqual(ports);
      expect(c!.healthcheck?.test.join(' '), svc.name).toContain('/readyz');
      const env = c!.environment ?? {};
      expect(env.KAFKA_BROKERS, svc.name).toBe('kafka:9092');
      expect(env.MONGO_URL, svc.name).toMatch(/^mongodb:\/\/mongo:27017\/.*replicaSet=rs0/);
      expect(env.OMNI_JWKS_URL, svc.name).toBe(
        `http://identity:${SERVICES.find((s) => s.name === IDENTITY)!.httpPort}/.well-known/jwks.json`,
      );
      expect(env.OTEL_SERVICE_NAME, svc.name).toBe(svc.name);
      // Bounded shutdown inside the stop grace period, as in k8s (5 s margin for the exit itself).
      const grace = /^(\d+)s$/.exec(c!.stop_grace_period ?? '');
      expect(grace, `${svc.name} stop_grace_period in seconds`).not.toBeNull();
      expect(Number(grace![1]) * 1000, svc.name).toBeGreaterThanOrEqual(
        Number(env.OMNI_SHUTDOWN_TIMEOUT_MS) + 5000,
      );
      // No topic operator here: the services own the topics (k8s prod only verifies them).
      expect(env.OMNI_TOPICS, svc.name).toBe('create');
      for (const [k, v] of Object.entries(svc.env)) expect(env[k], `${svc.name} ${k}`).toBe(v);
      if (svc.name !== IDENTITY) {
        expect(env.OMNI_CLIENT_ID, svc.name).toBe(svc.name);
        expect(env.OMNI_CLIENT_SECRET, svc.name).toBeTruthy();
      }
      // Hardened like the k8s pods.
      expect(c!.read_only, svc.name).toBe(true);
      expect(c!.cap_drop, svc.name).toEqual(['ALL']);
      expect(
        c!.tmpfs?.some((t) => t.startsWith('/tmp')),
        svc.name,
      ).toBe(true);
    }
  });

  it('Kafka does not auto-create topics: the services create theirs, so a misspelt topic fails', () => {
    expect(compose.services.kafka!.environment?.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
  });

  it('starts Kafka and MongoDB first, then identity, then the others, and orders after the services it calls', () => {
    const healthy = (svc: string) =>
      Object.entries(compose.services[svc]!.depends_on ?? {})
        .filter(([, d]) => d.condition === 'service_healthy')
        .map(([n]) => n);
    for (const svc of SERVICES) {
      const deps = healthy(svc.name);
      expect(deps, svc.name).toEqual(expect.arrayContaining(['kafka', 'mongo']));
      if (svc.name === IDENTITY) expect(deps, svc.name).not.toContain(IDENTITY);
      else expect(deps, svc.name).toContain(IDENTITY);
      expect(deps, svc.name).toEqual(expect.arrayContaining(svc.grpcCalls));
    }
    expect(healthy('orders')).toEqual(expect.arrayContaining(['catalog', 'inventory', 'customers']));
  });

  it("Prometheus scrapes every service's /metrics at its compose name and HTTP port", () => {
    for (const svc of SERVICES) expect(prometheus, svc.name).toContain(`- ${svc.name}:${svc.httpPort}`);
  });
});
