# syntax=docker/dockerfile:1
# One image for every Refinery process: docker-compose.yml runs it as the worker (default command) and as
# the API (`node bin/refinery.js api`).

# Node 24 LTS: Node 20 reached end of life in April 2026; the suite passes on both (scripts/node24.sh).
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 normally installs a prebuilt binary; the toolchain is the fallback when none matches the
# platform. It stays in this stage and never reaches the runtime image.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# Sources go in before `npm ci` so a `prepare` script that builds would find them; the npm cache mount keeps
# the reinstall that this costs on a source change fast.
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY scripts/better-sqlite3-for-node.sh ./scripts/better-sqlite3-for-node.sh
RUN --mount=type=cache,target=/root/.npm npm ci
# On Node 24 the lockfile's better-sqlite3 12.x aborts when a statement is collected: the script swaps in 13.x.
RUN npm run build && npm prune --omit=dev && sh scripts/better-sqlite3-for-node.sh --omit=dev

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY deploy/refinery/worker-healthcheck.mjs ./deploy/refinery/worker-healthcheck.mjs
# REFINERY_HOME (.refinery) must be writable by the unprivileged user the processes run as.
RUN mkdir -p .refinery && chown node:node .refinery
USER node
EXPOSE 8787
# A 32 MiB young generation: an eval at 128 calls in flight allocates fast and keeps little, and V8's default 16 MiB
# promotes much of it (bench/results/eval-engine.json). A process flag: the worker cannot set it on itself.
CMD ["node", "--max-semi-space-size=32", "dist/worker.js"]
