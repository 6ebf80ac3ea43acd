# syntax=docker/dockerfile:1
#
# One image per Omni service, chosen by build arg:
#   docker build --build-arg SERVICE=catalog -t omni/catalog .
# SERVICE is one of: identity catalog inventory customers orders pickup dispatch vouchers.
#
# build:   npm ci of the whole workspace, then esbuild bundles services/$SERVICE/src/main.ts (TypeScript,
#          workspace libs and npm dependencies) into one ES module. No TypeScript, tsx or node_modules
#          reach the image.
# runtime: distroless Node.js 26 (no shell, no package manager), user nonroot (65532), files owned by
#          root so the process cannot change its own code; runs with a read-only root filesystem
#          (docker-compose.yml, k8s/) and needs only /tmp writable.
# svc-*:   the service's ports as ENV (the service reads OMNI_HTTP_PORT / OMNI_GRPC_PORT), EXPOSE.

# Base images: Node.js 26 "Lithium", the Active LTS since 2026-10-28 (Node 20 reached end of life in
# April 2026; 24 is in maintenance). Build and runtime are the same Node major. Pinned by digest, so a
# rebuild gets the same bytes until someone bumps them on purpose (tag and digest together): the tag
# says what it is, the digest is what is pulled. The two digests are the ones these tags resolved to
# in autumn 2026, as several public projects pin them (the two together in one of them); they were
# not pulled from the machine this was written on (it reaches no container registry), so the first
# `docker build` is also their check: a wrong digest fails the pull, it never substitutes an image.
# The bundle targets Node 20 (esbuild --target below): package.json `engines` stays >=20.19, the
# tests run on Node 20, and the same bundle runs on Node 26 in the image.
ARG BUILD_IMAGE=node:26.10.0-trixie-slim@sha256:ec7758ee051e457b468b32bde57b0879010b325bb9862718e9615225ce4aaae1
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs26-debian13:nonroot@sha256:afc6657a4b662f9cb69ca892b0596e55d6ef81a10e83ee8887b13f602877df89
# The service to build; declared before the first FROM so the last FROM can pick svc-${SERVICE}.
ARG SERVICE

# Only the package manifests, so the npm ci layer below stays cached until a dependency changes.
FROM ${BUILD_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete \
 && find . -depth -type d -empty -delete

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY --from=manifests /src ./
# --ignore-scripts: nothing the bundle needs builds at install time (esbuild finds its binary package
# without its postinstall; testcontainers' optional native ssh helpers are dev-only).
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# Declared after npm ci: a build arg changes the cache key of every later RUN, so all services share
# the layers above.
ARG SERVICE
ENV OUT=/out
# The bundle step (the manifest test runs this exact RUN, with OUT in a temp dir, for every service):
# - createRequire/__filename/__dirname banner: CommonJS dependencies bundled into an ES module still
#   call require() for Node built-ins and read files next to themselves;
# - @fastify/swagger-ui serves its static files from disk (path.join(__dirname, '..', 'static') and
#   reads ./static/logo.svg): with the bundle at $OUT/dist/main.mjs those are $OUT/static and
#   $OUT/dist/static/logo.svg.
RUN set -eu; \
    if [ -z "${SERVICE:-}" ]; then echo "build arg SERVICE is required (identity catalog inventory customers orders pickup dispatch vouchers)" >&2; exit 1; fi; \
    if [ ! -f "services/$SERVICE/src/main.ts" ]; then echo "services/$SERVICE/src/main.ts not found" >&2; exit 1; fi; \
    node_modules/.bin/esbuild "services/$SERVICE/src/main.ts" \
      --bundle --platform=node --target=node20 --format=esm --legal-comments=none --log-level=warning \
      --outfile="$OUT/dist/main.mjs" \
      "--banner:js=import { createRequire as __omniCreateRequire } from 'node:module'; import { fileURLToPath as __omniFileURLToPath } from 'node:url'; import { dirname as __omniDirname } from 'node:path'; const require = __omniCreateRequire(import.meta.url); const __filename = __omniFileURLToPath(import.meta.url); const __dirname = __omniDirname(__filename);"; \
    cp -R node_modules/@fastify/swagger-ui/static "$OUT/static"; \
    mkdir -p "$OUT/dist/static"; \
    cp node_modules/@fastify/swagger-ui/static/logo.svg "$OUT/dist/static/logo.svg"

FROM ${RUNTIME_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /out/ /app/
USER 65532:65532
# The image's entrypoint is node itself.
CMD ["/app/dist/main.mjs"]
# Liveness of the process (compose and k8s probe /readyz themselves); node's fetch, as there is no shell or curl.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["/nodejs/bin/node", "-e", "fetch('http://127.0.0.1:' + process.env.OMNI_HTTP_PORT + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Per service: the same ports as the service's own defaults, in compose and in k8s.
FROM runtime AS svc-identity
ENV OMNI_SERVICE=identity OMNI_HTTP_PORT=8087
EXPOSE 8087

FROM runtime AS svc-catalog
ENV OMNI_SERVICE=catalog OMNI_HTTP_PORT=8081 OMNI_GRPC_PORT=50051
EXPOSE 8081 50051

FROM runtime AS svc-inventory
ENV OMNI_SERVICE=inventory OMNI_HTTP_PORT=8082 OMNI_GRPC_PORT=50052
EXPOSE 8082 50052

FROM runtime AS svc-customers
ENV OMNI_SERVICE=customers OMNI_HTTP_PORT=8083 OMNI_GRPC_PORT=50053
EXPOSE 8083 50053

FROM runtime AS svc-orders
ENV OMNI_SERVICE=orders OMNI_HTTP_PORT=8084
EXPOSE 8084

FROM runtime AS svc-pickup
ENV OMNI_SERVICE=pickup OMNI_HTTP_PORT=8085
EXPOSE 8085

FROM runtime AS svc-dispatch
ENV OMNI_SERVICE=dispatch OMNI_HTTP_PORT=8086
EXPOSE 8086

FROM runtime AS svc-vouchers
ENV OMNI_SERVICE=vouchers OMNI_HTTP_PORT=8088
EXPOSE 8088

# The image that `docker build` produces: the stage of the chosen service.
FROM svc-${SERVICE}
