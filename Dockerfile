# syntax=docker/dockerfile:1
# wcap-gateway image. It has no Radicale: set WCAP_CALDAV_URL (docker-compose.yml does).

# --- build: compile TypeScript --------------------------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# --- production dependencies only -----------------------------------------------------------------
FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime ----------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    WCAP_HOST=0.0.0.0 \
    WCAP_PORT=8080
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# the image's unprivileged user (uid 1000)
USER node
EXPOSE 8080
# Healthy = ready: Redis and the CalDAV server answer (GET /readyz, README "Health, readiness and
# metrics"). The slim image has no curl; Node's fetch asks, on the port the gateway listens on.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.WCAP_PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
