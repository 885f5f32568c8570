# Switchboard gateway image: `docker build -t switchboard:0.1.0 .`
# Stage 1 builds the napi-rs module (Rust) and the TypeScript packages;
# stage 2 is a slim Node runtime with production dependencies only, running
# as a non-root user on a read-only root filesystem (the chart mounts /tmp).

FROM node:20-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain 1.95.0
ENV PATH=/root/.cargo/bin:$PATH
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.base.json Cargo.toml Cargo.lock ./
COPY crates crates
COPY packages packages
COPY models models
RUN npm ci && npm run build
# Keep only what the runtime needs.
RUN npm prune --omit=dev && rm -rf crates target packages/*/src

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/packages packages
COPY --from=build /src/models models
RUN groupadd --system --gid 10001 switchboard && useradd --system --uid 10001 --gid switchboard switchboard
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "/app/packages/cli/dist/bin.js"]
CMD ["serve", "--kubernetes", "--no-auth"]
