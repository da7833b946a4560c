# One image for every service of both modes; the command picks the service and the mode:
#   docker run grpc-vs-nats billing --mode grpc
# Stage 1 type-checks and compiles; the final stage runs only the compiled code
# with production dependencies: no compiler toolchain, no tsx or esbuild.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds its native addon when no prebuilt one fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY proto ./proto
COPY services ./services
COPY scripts ./scripts
COPY testbed ./testbed
# tsc type-checks as it compiles: a type error fails the image build.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
WORKDIR /app
ENV DATA_DIR=/data NODE_ENV=production
# The compose file's secrets job makes the development CA and certificates with openssl.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssl \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Server reflection reads the schema at run time.
COPY --from=build /app/proto ./proto
# The volume takes the ownership of the image's directory, so the service user can write its database.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
# The heap budget every service runs with (SERVICE_NODE_FLAGS in services/common/limits.ts).
ENTRYPOINT ["node", "--max-old-space-size=96", "--max-semi-space-size=8", "dist/services/main.js"]
