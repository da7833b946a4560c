# One image for every service of both modes; the command picks the service and the mode:
#   docker run grpc-vs-nats billing --mode grpc
FROM node:20-bookworm-slim
WORKDIR /app
# better-sqlite3 builds its native addon when no prebuilt one fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY proto ./proto
COPY services ./services
COPY scripts ./scripts
ENV DATA_DIR=/data NODE_ENV=production
# The volume takes the ownership of the image's directory, so the service user can write its database.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
ENTRYPOINT ["node", "--import", "tsx", "scripts/service.ts"]
