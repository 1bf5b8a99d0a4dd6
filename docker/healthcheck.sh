#!/bin/bash
# Healthcheck of the s3vpce image: the CA exists and HTTPS (443) and DNS over
# TCP (53) accept connections. bash's /dev/tcp: no extra tools in the image.
set -eu
data=${S3VPCE_DATA:-/data}
test -s "$data/rootCA.pem"
exec 3<>/dev/tcp/127.0.0.1/443
exec 4<>/dev/tcp/127.0.0.1/53
