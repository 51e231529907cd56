# kubevents container image: built on Debian 12, run on debian:12-slim with
# only the shared libraries the binary loads.
#   docker build -t registry.example.com/kubevents:0.1.0 .
# docs/deploy.md explains the choices; tests/integration/deploy checks what
# can be checked without a container engine.

# ---- build ------------------------------------------------------------------
FROM debian:12 AS build
# The libraries the product links (the "libraries the product links" group of
# scripts/install-deps.sh; a test keeps the two in step) and the toolchain.
# No tests, benchmarks or test environment in the image.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config ca-certificates \
      libcurl4-openssl-dev libssl-dev libsimdjson-dev libyaml-cpp-dev libre2-dev \
      libsqlite3-dev librdkafka-dev libspdlog-dev libfmt-dev libcli11-dev \
      libcpp-httplib-dev libexpected-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# RelWithDebInfo, the build type CI compiles with -Werror (GCC 12 at -O3 warns
# where -O2 does not), then stripped.
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DKUBEVENTS_TESTS=OFF -DKUBEVENTS_BENCH=OFF \
 && ninja -C /build kubevents \
 && strip /build/src/kubevents \
 && /build/src/kubevents version
# The Debian packages that own every shared library the binary loads: the
# runtime stage installs exactly these.
RUN deploy/image/runtime-packages.sh /build/src/kubevents >/build/runtime-packages \
 && cat /build/runtime-packages

# ---- runtime ----------------------------------------------------------------
FROM debian:12-slim
COPY --from=build /build/runtime-packages /tmp/runtime-packages
# ca-certificates: TLS to receivers with public certificates.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive xargs -a /tmp/runtime-packages \
      apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
 && install -d -o 65532 -g 65532 -m 0750 /var/lib/kubevents \
 && install -d -m 0755 /etc/kubevents
COPY --from=build /build/src/kubevents /usr/local/bin/kubevents
# The same uid/gid as distroless's "nonroot"; no passwd entry is needed.
USER 65532:65532
WORKDIR /var/lib/kubevents
EXPOSE 2112
# Without arguments: the embedded defaults (every event to stdout). In
# Kubernetes the Deployment passes --config, --metrics-address, --data-dir.
ENTRYPOINT ["/usr/local/bin/kubevents", "run"]
