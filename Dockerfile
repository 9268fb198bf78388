# netns-exporter: Prometheus exporter for every network namespace on the host.
#
# Build:  docker build --build-arg REVISION="$(git rev-parse HEAD)" -t netns-exporter .
#
# Run: the host's network and PID namespaces; /run/netns with rslave propagation, or a namespace
# created after the container started stays invisible inside; four capabilities, not --privileged:
#
#   docker run -d --name netns-exporter --network host --pid host \
#     -v /run/netns:/run/netns:ro,rslave \
#     --cap-drop ALL --cap-add SYS_ADMIN --cap-add NET_ADMIN --cap-add NET_RAW --cap-add SYS_PTRACE \
#     --security-opt no-new-privileges --read-only \
#     netns-exporter [flags]
#
# SYS_ADMIN enters namespaces (setns), NET_ADMIN reads netfilter counters, NET_RAW opens the socket
# legacy iptables reads through, SYS_PTRACE opens other processes' /proc/<pid>/ns/net. The process
# is uid 0 with only these four; as the owner of the 0440 /proc/net/*_tables_names it needs no
# CAP_DAC_READ_SEARCH, unlike the non-root systemd service (docs/security.md, docs/install.md).
# When flags move the port, set -e NETNS_EXPORTER_HEALTHCHECK_URL=http://127.0.0.1:<port>/healthz.
#
# BASE_IMAGE, where the exporter is built, defaults to the official Node.js 20 LTS slim image; any
# Debian bookworm image with Node.js >= 20.5 under /usr/local, npm and Node's headers works.
# RUNTIME_BASE_IMAGE gets only the node binary from it, not npm, yarn or the 50 MB of headers: keep
# it the same Debian release as BASE_IMAGE (the binary links against its glibc and libstdc++).
ARG BASE_IMAGE=node:20-bookworm-slim
ARG RUNTIME_BASE_IMAGE=debian:bookworm-slim

# ---- build: TypeScript -> dist/, and the native reader when its sources are in the context ----
FROM ${BASE_IMAGE} AS build
# An ARG, not an ENV: apt runs without prompts here, and no image keeps the setting.
ARG DEBIAN_FRONTEND=noninteractive
# python3, make and g++ are node-gyp's toolchain; they stay in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
# .dockerignore admits only the sources: package files, tsconfig, src/ and native/ (when it exists).
COPY . .
ARG REVISION=unknown
# The addon is built explicitly (npm ci ran without scripts); if its sources are here it must build,
# since this stage has the toolchain. addon-out/ holds the .node file, or nothing without native/.
RUN npm run build \
 && printf '{"revision":"%s"}\n' "$REVISION" > dist/build-info.json \
 && mkdir addon-out \
 && if [ -f native/binding.gyp ]; then \
      node native/build-addon.mjs \
      && cp native/build/Release/netns_reader.node addon-out/ \
      || { echo 'native/binding.gyp is here but the native reader did not build' >&2; exit 1; }; \
    fi
# Production dependencies only; none of them has an install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime: node, dist/, production node_modules, the addon if built, and the tools the exec reader runs ----
FROM ${RUNTIME_BASE_IMAGE}
ARG DEBIAN_FRONTEND=noninteractive
# iproute2: ip; iptables: iptables-{nft,legacy}-save; nftables: nft; util-linux: nsenter;
# tini: forwards signals and reaps the exec reader's orphans (as a subreaper under --pid host).
RUN apt-get update \
 && apt-get install -y --no-install-recommends iproute2 iptables nftables util-linux tini \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log
COPY --from=build /usr/local/bin/node /usr/local/bin/node
WORKDIR /opt/netns-exporter
COPY --from=build /build/package.json ./
COPY --from=build /build/node_modules/ node_modules/
COPY --from=build /build/dist/ dist/
COPY --from=build /build/addon-out/ native/build/Release/

ARG REVISION=unknown
LABEL org.opencontainers.image.title="netns-exporter" \
      org.opencontainers.image.description="Prometheus exporter for the interfaces, iptables and conntrack of every network namespace on the host" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.revision="${REVISION}"
# NODE_OPTIONS: V8's young generation at 8 MB instead of 16, as deploy/systemd sets it (about 15 MB
# less peak memory at 1,000 routers and shorter GC pauses, no measured CPU cost; docs/performance.md).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=8 \
    NETNS_EXPORTER_HEALTHCHECK_URL=http://127.0.0.1:9724/healthz
EXPOSE 9724
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.NETNS_EXPORTER_HEALTHCHECK_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["tini", "-s", "--", "node", "/opt/netns-exporter/dist/cli/main.js"]
