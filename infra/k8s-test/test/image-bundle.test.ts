import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { baseImages, dockerfileInstructions, nodeMajorOf, runInstruction } from '../src/dockerfile';
import { REPO_ROOT } from '../src/generate';
import { SERVICES } from '../src/services';

/**
 * No Docker engine here, so the image is proven in its two halves: this runs the Dockerfile's own
 * bundle RUN (read from the Dockerfile, not copied) for every service, then starts each bundle the
 * way the runtime image does — plain `node dist/main.mjs`, outside the repository so no node_modules
 * can be found — and asks it for /livez, /readyz and the /docs assets.
 */

const DOCKERFILE = join(REPO_ROOT, 'Dockerfile');
/**
 * The Node.js the bundles are started with: this one by default; OMNI_BUNDLE_NODE=<path to a node
 * binary> runs them on another, e.g. the image's Node major (see README, "Images").
 */
const BUNDLE_NODE = process.env.OMNI_BUNDLE_NODE || process.execPath;
/** Node 20 reached end of life in April 2026; images build on an LTS line that is still supported. */
const END_OF_LIFE_NODE_MAJORS = [16, 18, 20, 21, 23, 25];
const bundleStep = runInstruction(DOCKERFILE, 'esbuild');
const outRoot = mkdtempSync(join(tmpdir(), 'omni-image-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(outRoot, { recursive: true, force: true });
});

/** Starts the bundle on ephemeral ports; resolves with its HTTP port once it logs that it listens. */
function startBundle(service: string, out: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(BUNDLE_NODE, [join(out, 'dist/main.mjs')], {
    cwd: out,
    // Only what the containers get (no MONGO_URL/KAFKA_BROKERS: the embedded adapters, in memory).
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      OMNI_SERVICE: service,
      OMNI_LOG_LEVEL: 'info',
      OMNI_HTTP_HOST: '127.0.0.1',
      OMNI_HTTP_PORT: '0',
      OMNI_GRPC_PORT: '0',
      OMNI_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
      OMNI_IDENTITY_URL: 'http://127.0.0.1:9',
      OMNI_CLIENT_ID: service,
      OMNI_CLIENT_SECRET: 'image-test-client-secret',
      // orders' gRPC peers and token: required settings, not used until an order is placed.
      ORDERS_CATALOG_ADDR: '127.0.0.1:9',
      ORDERS_INVENTORY_ADDR: '127.0.0.1:9',
      ORDERS_CUSTOMERS_ADDR: '127.0.0.1:9',
      ORDERS_SERVICE_TOKEN: 'image-test-placeholder',
      // vouchers: the stores that redeem (required), inventory only called for goods vouchers.
      VOUCHERS_STORES: 'S01',
      VOUCHERS_INVENTORY_ADDR: '127.0.0.1:9',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) resolve({ child, port: Number(m[1]) });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${service} bundle exited with ${code} before listening:\n${output.slice(-4000)}`)),
    );
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('image: the Dockerfile', () => {
  it('has no syntax or instruction errors (dockerfile-utils, the linter of the VS Code Docker extension)', () => {
    const problems = validate(readFileSync(DOCKERFILE, 'utf8')).map(
      (d) => `line ${d.range.start.line + 1}: ${d.message}`,
    );
    expect(problems).toEqual([]);
  });

  it('has a stage per service with its ports, non-root, and the last stage picks it by SERVICE', () => {
    const instructions = dockerfileInstructions(DOCKERFILE);
    const stageOf = (name: string) => {
      const start = instructions.findIndex((i) => new RegExp(`^FROM \\S+ AS ${name}$`).test(i));
      const end = instructions.findIndex((i, n) => n > start && i.startsWith('FROM '));
      return start < 0 ? undefined : instructions.slice(start, end < 0 ? undefined : end);
    };
    expect(stageOf('runtime')).toContain('USER 65532:65532');
    for (const svc of SERVICES) {
      const stage = stageOf(`svc-${svc.name}`);
      expect(stage, svc.name).toBeDefined();
      expect(stage!.join('\n'), svc.name).toContain(`OMNI_HTTP_PORT=${svc.httpPort}`);
      const exposed = [svc.httpPort, ...(svc.grpcPort ? [svc.grpcPort] : [])].join(' ');
      expect(stage, svc.name).toContain(`EXPOSE ${exposed}`);
    }
    expect(instructions.at(-1)).toBe('FROM svc-${SERVICE}');
  });

  it('builds and runs on a supported Node.js LTS (not Node 20), the same major in both, base images pinned by digest', () => {
    const images = baseImages(DOCKERFILE);
    expect(images.length).toBeGreaterThanOrEqual(2);
    const majors = images.map((i) => nodeMajorOf(i));
    for (const [n, image] of images.entries()) {
      expect(majors[n], image).toBeDefined();
      expect(END_OF_LIFE_NODE_MAJORS, image).not.toContain(majors[n]);
      expect(majors[n]! % 2, `${image}: an LTS line is even-numbered up to 26`).toBe(0);
      // A tag can be moved to other bytes; a digest cannot.
      expect(image, image).toMatch(/^[\w./-]+:[\w.-]+@sha256:[a-f0-9]{64}$/);
    }
    expect(new Set(majors).size, 'build and runtime on one Node major').toBe(1);
    // The bundle still targets the oldest Node package.json promises, so it runs on both.
    const engines = (
      JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }
    ).engines.node;
    const minimum = /(\d+)/.exec(engines)![1];
    expect(bundleStep).toContain(`--target=node${minimum}`);
  });
});

describe('image: the Dockerfile bundle step', () => {
  for (const svc of SERVICES) {
    const entry = `services/${svc.name}/src/main.ts`;
    const present = existsSync(join(REPO_ROOT, entry));
    it.skipIf(!present)(
      `${svc.name}: bundles ${entry} into one file that serves /livez, /readyz and /docs${present ? '' : ' (skipped: entry not written yet)'}`,
      async () => {
        const out = join(outRoot, svc.name);
        const build = spawnSync('sh', ['-c', bundleStep], {
          cwd: REPO_ROOT,
          env: { PATH: process.env.PATH, SERVICE: svc.name, OUT: out },
          encoding: 'utf8',
        });
        expect(build.status, build.stderr).toBe(0);

        const { child, port } = await startBundle(svc.name, out);
        // Bodies are read to the end: a half-read response would hold the connection through shutdown.
        const get = async (path: string) => {
          const res = await fetch(`http://127.0.0.1:${port}${path}`);
          return { status: res.status, body: await res.text() };
        };
        expect(await get('/livez')).toMatchObject({ status: 200 });
        expect(await get('/readyz')).toMatchObject({ status: 200 });
        // Swagger UI's files are read from disk next to the bundle (see the Dockerfile).
        const ui = await get('/docs/static/swagger-ui-bundle.js');
        expect(ui.status).toBe(200);
        expect(ui.body.length).toBeGreaterThan(100_000);
        expect(await get('/docs/static/logo.svg')).toMatchObject({ status: 200 });
        // Graceful shutdown on SIGTERM, as Kubernetes and compose stop containers.
        expect(await stop(child)).toBe(0);
      },
    );
  }
});
