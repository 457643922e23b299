# syntax=docker/dockerfile:1
# The forum in one image: built once in a build stage, run compiled by an unprivileged user from
# production dependencies only.  docker build -t bmet-forum .
FROM node:20-bookworm-slim AS base
RUN npm install -g pnpm@10.34.9
WORKDIR /app

# Dependencies first, from the lockfile and the package manifests only: this layer is reused
# until one of them changes.
FROM base AS deps
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch
COPY package.json ./
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
COPY packages/contracts/package.json packages/contracts/
COPY packages/db/package.json packages/db/
COPY packages/markdown/package.json packages/markdown/
COPY packages/phi/package.json packages/phi/
# The sources are not here yet: the install's own build step (the root postinstall, which is
# scripts/build.mjs) is told to wait for them.
COPY scripts/build.mjs scripts/
RUN BMET_SKIP_BUILD=1 pnpm install --frozen-lockfile --offline

FROM deps AS build
COPY . .
RUN pnpm build \
 && pnpm --filter @bmet/api deploy --prod --legacy /out \
 && rm -rf /out/dist /out/src \
 && cp -rL apps/api/dist/current /out/dist-release \
 && mkdir -p /out/dist && mv /out/dist-release /out/dist/release

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/data
WORKDIR /app
RUN groupadd --system forum \
 && useradd --system --gid forum --home-dir /app --shell /usr/sbin/nologin forum \
 && mkdir -p /app/data && chown forum:forum /app/data
COPY --from=build /out /app/apps/api
USER forum
EXPOSE 3000
VOLUME ["/app/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "apps/api/dist/release/server.js"]
