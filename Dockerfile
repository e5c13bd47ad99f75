# syntax=docker/dockerfile:1
# The one image of MetricsCluster: every component is this image with its own --target (docs/kubernetes.md).
#
#   docker build -t registry.example.com/metrics-cluster:0.1.0 \
#     --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) .
#   docker push registry.example.com/metrics-cluster:0.1.0
#
# The build stage runs scripts/publish.sh, the same script deploy/helm/test.sh runs and then starts, so the binary CI
# tests is built exactly as the one shipped here.

ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
# linux-x64 or linux-arm64; with buildx, TARGETARCH picks it (amd64 -> x64).
ARG TARGETARCH=amd64
# ReadyToRun: see scripts/publish.sh for why it is off by default (start-up vs. ingest throughput, measured).
ARG READY_TO_RUN=false
WORKDIR /src
# Restore first, from the project files only, so source edits do not invalidate the package layer.
COPY global.json Directory.Build.props Directory.Packages.props MetricsCluster.sln .editorconfig ./
COPY src/ src/
COPY scripts/publish.sh scripts/publish.sh
RUN rid="linux-$([ "$TARGETARCH" = arm64 ] && echo arm64 || echo x64)" \
 && PUBLISH_RID="$rid" PUBLISH_READY_TO_RUN="$READY_TO_RUN" bash scripts/publish.sh /out

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="metrics-cluster" \
      org.opencontainers.image.description="Horizontally scalable, multi-tenant long-term store for Prometheus metrics (one binary, many targets)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="mcr.microsoft.com/dotnet/aspnet:10.0"
COPY --from=build /out /app
# The aspnet image's non-root user (APP_UID=1654). The chart runs as this UID and sets fsGroup to it, so the
# volumes (/data, the filesystem bucket) are writable without root.
RUN mkdir -p /data && chown "$APP_UID:$APP_UID" /data
USER $APP_UID
# The base image sets ASPNETCORE_HTTP_PORTS=8080; the binary binds its own --server.http-listen-port, and with the
# variable set Kestrel logs an "Overriding address(es)" warning at every start (checked with the published binary).
ENV PATH="/app:${PATH}" \
    ASPNETCORE_HTTP_PORTS=
WORKDIR /data
# HTTP (remote write, queries, /ready, /metrics) and the Orleans silo port between components.
EXPOSE 9009 9095
ENTRYPOINT ["metrics-cluster"]
