// Package bench measures the PrivateLink path against the store and the
// fake S3 beneath it, in one run: the same load generator (aws-sdk-go-v2,
// N concurrent clients) drives, in alternating rounds,
//
//   - bare: gofakes3 with its memory backend behind the same kind of TLS
//     listener (the baseline),
//   - memory: s3vpce's full path (TLS with the endpoint's certificate, the
//     vpce Host names, SigV4, endpoint and bucket policies, body checks, the
//     S3 layer) over the memory store,
//   - dir: the same over the dir store,
//   - authoff: the full path with --auth off (policies only),
//
// and, only when selected (s3vpce-bench -upstream), upstream mode's pair:
//
//   - upstream: an S3 upstream alone, reached directly over plain HTTP on
//     loopback (s3vpce's own S3 layer, auth off, memory store: it decodes
//     aws-chunked bodies as a real upstream does),
//   - via-upstream: s3vpce's full path in upstream mode forwarding to that
//     same upstream, re-signed with the upstream's credentials (its row
//     carries vs_upstream, the ratio of its ops/s to upstream's),
//
// through 1 KiB and 1 MiB PUT and GET and a mixed 1 MiB workload, each with
// the SDK's default checksums (aws-chunked bodies with a trailing CRC32;
// bare gofakes3 cannot decode them, so it has no such row) and with
// UNSIGNED-PAYLOAD. It reports ops/s, MiB/s, p50 and p99 latency, and
// ratios against the baseline, as a table and as JSON.
//
// Config.Real measures the real path instead (real.go): each target is a
// process of its own (s3vpce serve; s3vpce-bench serve-bare) and each
// measurement's clients are a process (s3vpce-bench client) run through
// s3vpce exec for the s3vpce targets, so that DNS, TLS and the vpce names
// are those a user's program has. In process, every goroutine carries
// pprof labels (side=server|client, target, and for clients workload and
// variant), so that one CPU profile splits by target.
package bench
