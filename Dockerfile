# Multi-stage image for the agent: compile with the dev dependencies, ship only
# the compiled JavaScript and the production dependencies on the Node LTS,
# running as an unprivileged user. (No container engine runs on the project's
# build machines, so CI does not build this image; see README.)
FROM node:26-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM node:26-bookworm-slim AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:26-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY bin ./bin
USER 65534:65534
# bin/api-syncagent sets Node's heap limit from SYNCAGENT_MEMORY_LIMIT_MIB (the chart sets it).
ENTRYPOINT ["/app/bin/api-syncagent"]
