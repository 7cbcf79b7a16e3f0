# syntax=docker/dockerfile:1
# keywarden container image (Kubernetes CronJob, other schedulers). See deploy/README.md.
#   docker build -t keywarden .
#   docker run --rm keywarden demo
# Needs BuildKit (default since Docker 23) for the cache mounts.

FROM rust:1-bookworm AS builder
WORKDIR /build
COPY Cargo.toml Cargo.lock ./
COPY src/ src/
# src/app/demo/ include_str!s the example sheets.
COPY demo/ demo/
# Cargo.toml declares the benchmark target: cargo refuses a manifest whose target file is missing.
COPY benches/ benches/
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/build/target \
    cargo build --release --locked \
 && install -D -m 0755 target/release/keywarden /out/keywarden

# glibc, libgcc and CA certificates; no shell. Runs as uid/gid 65532 (nonroot).
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=builder /out/keywarden /usr/local/bin/keywarden
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/keywarden"]
CMD ["run"]
