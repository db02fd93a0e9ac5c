# syntax=docker/dockerfile:1
#
# Image of the `nzc` binary with this repository's migrations, used to run
# `nzc migrate upgrade head` (docker-compose.yml service `migrate`, k8s/ Job).
#
#   docker build -t pdf-converter-migrate:latest .
#   docker run --rm -e DATABASE_URL=postgresql://user:pass@host:5432/db pdf-converter-migrate:latest
#
# Needs BuildKit (the default builder of current Docker) for the cache mounts.

# ---- build ------------------------------------------------------------------
# Pinned toolchain; it must be at least the highest `rust-version` in Cargo.lock.
FROM rust:1.95-slim-bookworm AS builder
# libclang: bindgen in the build of pg_query (PostgreSQL's parser, used by `nzc lint`).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libclang-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The whole context (see .dockerignore): the workspace members (runtime,
# migrate, migrate/macros, lint, dsl, dsl/types, codegen, macros, macros/core,
# generated, examples/startup) must all be present for cargo to load the
# workspace. Dependencies are cached by the registry and target
# cache mounts across builds, so copying manifests separately buys nothing.
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin nzc \
 && install -D -m 0755 target/release/nzc /out/nzc

# ---- runtime ----------------------------------------------------------------
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 nzc \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin nzc
COPY --from=builder /out/nzc /usr/local/bin/nzc
COPY migrations /app/migrations
WORKDIR /app
# Numeric, so that Kubernetes' runAsNonRoot can verify it without /etc/passwd.
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/nzc"]
CMD ["migrate", "upgrade", "head"]
