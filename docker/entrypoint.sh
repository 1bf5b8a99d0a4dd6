#!/bin/sh
# Entrypoint of the s3vpce image (Dockerfile, docker-compose.yml, docs/compose.md).
#
# The container stands in for the interface endpoint's network interfaces and
# for the VPC resolver. Its own address on the compose network is the seed's
# ENI in us-east-1d, 172.16.10.143 (docker-compose.yml). This script adds the
# endpoint's ENI addresses in the other zones and the VPC resolver's address
# (AmazonProvidedDNS, VPC base + 2) to the same interface, so that every
# address the DNS server hands out, and the resolver itself, is reachable from
# the other containers on the network. That needs the NET_ADMIN capability.
#
# The addresses are the default endpoint's (internal/vpce/defaults.go);
# cmd/s3vpce/compose_test.go fails when this list and the model disagree.
set -eu

# Other zones' ENI addresses (us-east-1a, b, c, e, f), then the resolver.
addrs="172.16.1.143 172.16.2.143 172.16.3.143 172.16.5.143 172.16.6.143 172.16.0.2"

# Overridable only so that the test can run this script outside a container.
dev=${S3VPCE_DEV:-eth0}
bin=${S3VPCE_BIN:-/usr/local/bin/s3vpce}
data=${S3VPCE_DATA:-/data}

for a in $addrs; do
	# /32: an extra local address on the link; Linux answers ARP for it.
	# "replace" keeps a restart of the container idempotent.
	if ! ip addr replace "$a/32" dev "$dev"; then
		echo "s3vpce-entrypoint: cannot add $a to $dev: the container needs cap_add: [NET_ADMIN]" >&2
		exit 1
	fi
done

exec "$bin" serve --home "$data" --https-addr 0.0.0.0:443 --dns-addr 0.0.0.0:53 "$@"
