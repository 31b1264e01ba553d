# The PrivateJet app image: Next.js' standalone output on Debian 13 (trixie) with Debian's own
# nodejs package (Node 20), run as user 10001 with a read-only root filesystem.
#
#   docker build -t registry.example.com/privatejet:0.1.0 .
#
# Writable at run time only through volumes: /data (the first-start credentials file),
# /app/.next/cache (Next.js' cache) and /tmp — the Helm chart mounts an emptyDir on each.
# Migrations run at start (lib/startup.ts, under a PostgreSQL advisory lock, so replicas
# starting together migrate once): no separate Job has to be ordered before the rollout.
# No init process: the server is PID 1 and exits on SIGTERM (Next.js' own handler).
#
# The tests build this same layout without a container engine: tools/kube/images/build.sh
# (image `privatejet`) unpacks Debian 13 with nodejs by debootstrap, adds the same user and
# copies the same folders; keep the two in step.

ARG BASE=debian:trixie-slim

FROM ${BASE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
RUN npm run build

FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 privatejet \
 && useradd --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin privatejet \
 && mkdir -p /app/.next/cache /data \
 && chown 10001:10001 /app/.next/cache /data
WORKDIR /app
COPY --from=build /src/.next/standalone ./
COPY --from=build /src/.next/static ./.next/static
COPY --from=build /src/drizzle ./drizzle
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOSTNAME=0.0.0.0 \
    PORT=3000 \
    PRIVATEJET_DATA_DIR=/data
USER 10001:10001
EXPOSE 3000
STOPSIGNAL SIGTERM
CMD ["node", "server.js"]
