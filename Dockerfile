# s3vpce images (docs/compose.md):
#   target "emulator" (the default, last stage): the s3vpce binary on Debian,
#     entrypoint docker/entrypoint.sh -> s3vpce serve on 443 (HTTPS) and 53 (DNS);
#   target "client": Debian's aws CLI v2 and nslookup, for the seed's commands.
# docker-compose.yml builds both. cmd/s3vpce/compose_test.go checks this file.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /s3vpce ./cmd/s3vpce

# The client: the same aws CLI (Debian 12's awscli, v2) and nslookup
# (bind9-dnsutils) that the end-to-end tests run on the host.
FROM debian:bookworm-slim AS client
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      awscli bind9-dnsutils ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
ENV AWS_PAGER=""
CMD ["aws", "--version"]

FROM debian:bookworm-slim AS emulator
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates iproute2 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /s3vpce /usr/local/bin/s3vpce
COPY docker/entrypoint.sh /usr/local/bin/s3vpce-entrypoint
COPY docker/healthcheck.sh /usr/local/bin/s3vpce-healthcheck
# The state directory (CA, control socket). 0755 so that a container that
# mounts this volume can read rootCA.pem as any user (the key stays 0600).
RUN mkdir -m 0755 /data
VOLUME /data
EXPOSE 443/tcp 53/udp 53/tcp
HEALTHCHECK --interval=2s --timeout=2s --start-period=30s --retries=15 CMD ["/usr/local/bin/s3vpce-healthcheck"]
ENTRYPOINT ["/usr/local/bin/s3vpce-entrypoint"]
# Names outside the endpoint's zones go to the container's resolver (Docker's
# embedded DNS in compose), as the VPC resolver resolves everything else.
CMD ["--dns-upstream", "resolv.conf"]
