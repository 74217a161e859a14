# syntax=docker/dockerfile:1
# The Trellis server image: `trellis serve` on :8080, production settings, non-root.
# The web app (web/) and the migrations are compiled into the binary.

# --- build ---------------------------------------------------------------------------
FROM rust:1.95-trixie AS build
WORKDIR /src
# Node.js and npm build the web app (web/) that the binary embeds (web-embed/build.rs).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
# The whole workspace: cargo resolves every member even when building one binary.
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin trellis \
    && install -m 0755 target/release/trellis /usr/local/bin/trellis
# Amazon RDS signs its server certificates with its own CA: ship the bundle so that
# TLS to the database is verified (TRELLIS_DATABASE_CA_FILE below).
RUN curl -fsSL -o /rds-ca-bundle.pem https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem

# --- runtime -------------------------------------------------------------------------
FROM debian:trixie-slim
# CA certificates for TLS to RDS, ElastiCache and AWS APIs; curl for the health check.
# Versions float with the Debian release the tag pins, so security fixes arrive on rebuild.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin trellis
COPY --from=build /usr/local/bin/trellis /usr/local/bin/trellis
COPY --from=build /rds-ca-bundle.pem /etc/trellis/rds-ca-bundle.pem
USER 10001:10001
ENV TRELLIS_ENV=production \
    TRELLIS_LISTEN=0.0.0.0:8080 \
    TRELLIS_DATABASE_CA_FILE=/etc/trellis/rds-ca-bundle.pem
EXPOSE 8080
# /healthz: the process is alive (readiness, /readyz, is the load balancer's business).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/healthz"]
# SIGTERM starts the graceful drain; ECS waits stopTimeout (60 s) before SIGKILL.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/trellis"]
CMD ["serve", "--listen", "0.0.0.0:8080"]
