# The consumer's image: `docker build -t product-events-ingest .` (docs/deploying.md).
# Node 24 runs the TypeScript sources natively (type stripping), so there is no build step: the
# first stage installs the production dependencies, the second copies them beside the sources.
# The version is the one package.json's `node` devDependency pins for the npm scripts.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# No production dependency has an install script (checked against package-lock.json), so none runs.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json knexfile.ts knexfile.js ./
COPY src ./src
COPY migrations ./migrations
# What the migrations Job runs (`node stack/postgres/migrate.ts`, the same as `npm run db:migrate`)
# and the one-step rollback (`node stack/postgres/migrate-down.ts`); the rest of stack/ is the
# local stack.
COPY stack/postgres/migrate.ts stack/postgres/migrate-down.ts stack/postgres/migration-command.ts stack/postgres/migration-usage.ts ./stack/postgres/
# Listen beyond the container's loopback; JSON log lines for the log collector.
ENV HTTP_HOST=0.0.0.0 HTTP_PORT=9464 LOG_FORMAT=json
EXPOSE 9464
# The image's own `node` user (uid 1000): the process can write nothing but /tmp.
USER node
# Node itself: slim images have no curl or wget. /healthz answers while the process runs.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.HTTP_PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The flags of `npm run consumer` (src/apps/consumer/node-flags.ts): the heap bound behind the
# 200 MB RSS target. `node` directly, not npm: npm would sit between the signals and the process.
ENTRYPOINT ["node", "--max-old-space-size=160", "--max-semi-space-size=8", "src/apps/consumer/main.ts"]
