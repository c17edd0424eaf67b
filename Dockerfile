# syntax=docker/dockerfile:1
# One image for every Yugong service; the command picks the service:
#   docker run yugong node dist/apps/catalog/src/main.js
# No secrets are baked in: every credential comes from the environment at run time.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- deps: the full dependency tree, needed to build ------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# --ignore-scripts: the workspace needs no dependency install script (npm 11 skips them anyway);
# native modules (argon2, @swc/core) ship prebuilt binaries.
RUN npm ci --ignore-scripts --no-audit --no-fund

# --- build: compile every app with SWC into dist/ (protos copied to dist/proto) ---------------
FROM deps AS build
COPY . .
ENV NX_DAEMON=false NX_NO_CLOUD=true
RUN npm run build

# --- prod-deps: runtime dependencies only -----------------------------------------------------
# Every package currently sits under "dependencies", so --omit=dev keeps them all; the image
# slims itself as soon as build-only tools move to devDependencies.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- runtime -----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    TMPDIR=/tmp
# The Chinese font licensing embeds in PDF label sheets (LABEL_FONT_FILE).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 10001 yugong \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin yugong
WORKDIR /app
# Files stay owned by root: the service user can read but never modify its code.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY tools/deploy/bin/grpc-health-probe.cjs ./tools/deploy/bin/grpc-health-probe.cjs
# Numeric uid so Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
# gateway HTTP, then the gRPC ports (catalog 50051; beneficiaries 50052, orders 50053, ledger 50054)
EXPOSE 3000 50051
CMD ["node", "dist/apps/gateway/src/main.js"]
