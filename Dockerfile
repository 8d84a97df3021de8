# syntax=docker/dockerfile:1
# One image for all nine services: `audio-fleet serve <service>` picks the service at run time
# (docker-compose.yml sets the command per service).
#
# Build stage: the official Swift image at the toolchain this repo is built and tested with
# (Swift 6.3.1 on Debian 12 "bookworm", the same Debian as the development machines and CI).
# Runtime stage: plain Debian 12 slim at the same point release as those machines (12.11).
# --static-swift-stdlib links the Swift runtime and Foundation into the binary, so the runtime
# stage needs no Swift image, only the C libraries the binary links dynamically.

ARG SWIFT_IMAGE=swift:6.3.1-bookworm
ARG RUNTIME_IMAGE=debian:12.11-slim

# checkov (`make stack-check`; the rule: every failed check fixed or skipped here with its reason):
# checkov:skip=CKV_DOCKER_7:both base images are the ARGs above, pinned to versions; checkov does not expand ARGs in FROM
# checkov:skip=CKV_DOCKER_2:one image runs nine services on nine ports and two one-shot gates; compose gives each its own healthcheck and Kubernetes its probes (audio-fleet probe, /health/*)

# ------------------------------------------------------------------------------------------------
FROM ${SWIFT_IMAGE} AS build

# Headers and pkg-config files for the system libraries Package.swift links
# (COpus: libopus, COgg: libogg, GRDB: libsqlite3, CFlite: flite, CPocketSphinx: pocketsphinx).
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update \
 && apt-get install -y --no-install-recommends libopus-dev libogg-dev libsqlite3-dev pkg-config \
        flite1-dev libpocketsphinx-dev libsphinxbase-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Dependencies first, so editing a source file does not refetch them. Package.resolved is copied
# when the build context has one (it is git-ignored; the glob makes it optional).
COPY Package.swift Package.resolve[d] ./
RUN swift package resolve

COPY Sources ./Sources
COPY services ./services
# SwiftPM validates every declared target's folder, test targets included, even for --product.
COPY Tests ./Tests

# The build folder lives in a BuildKit cache mount (docker compose v2 builds with BuildKit), so a
# rebuild after a source change recompiles only what changed; the binary is copied out of it.
# SWIFT_BUILD_FLAGS adds build options, e.g. "--traits OTLPGRPC" for OTLP/gRPC export (off by
# default: it is 19 % of this build, and OTLP/HTTP to the collector's :4318 does the same job).
# scripts/release-build.sh is what `make build` runs too: the same options, the same binary
# (the functions the services run placed first by config/build/hot-functions.order).
ARG SWIFT_BUILD_FLAGS=""
COPY scripts/release-build.sh ./scripts/
COPY config/build ./config/build
RUN --mount=type=cache,target=/src/.build,id=audio-fleet-swift-build \
    scripts/release-build.sh ${SWIFT_BUILD_FLAGS} \
 && install -D -m 0755 .build/release/audio-fleet /out/audio-fleet

# ------------------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime

# Exactly the shared libraries the binary needs beyond the base image (`ldd audio-fleet` on the
# release build; libc, libm, libstdc++, libgcc_s and libz are already in debian:12-slim), and
# pocketsphinx's US English model, which stt loads at start-up (/usr/share/pocketsphinx/model/en-us).
# libflite1 brings flite's voices; libpocketsphinx3 brings libsphinxbase3 (and its BLAS and
# PulseAudio libraries, which Debian's package depends on).
# No curl, no wget: health checks use `audio-fleet probe`.
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update \
 && apt-get install -y --no-install-recommends libopus0 libogg0 libsqlite3-0 \
        libflite1 libpocketsphinx3 pocketsphinx-en-us \
 && rm -rf /var/lib/apt/lists/*

# A fixed non-root uid; DATA_DIR is created here and owned by it, so a fresh named volume mounted
# there (the orchestrator's SQLite memory) inherits that ownership.
RUN groupadd --system --gid 10001 audio-fleet \
 && useradd --system --uid 10001 --gid audio-fleet --home-dir /var/lib/audio-fleet --shell /usr/sbin/nologin audio-fleet \
 && install -d -o audio-fleet -g audio-fleet -m 0750 /var/lib/audio-fleet

COPY --from=build /out/audio-fleet /usr/local/bin/audio-fleet

USER audio-fleet:audio-fleet
WORKDIR /var/lib/audio-fleet
ENV DATA_DIR=/var/lib/audio-fleet
# Two malloc arenas per service (one per core the fleet is sized for) from the first allocation:
# glibc's default of up to 8 per core left freed holes resident in each (Sources/ServiceKit/HeapTuning.swift).
ENV MALLOC_ARENA_MAX=2

ENTRYPOINT ["audio-fleet"]
CMD ["--help"]
