// Command s3vpce-soak runs the load and soak workload of internal/soak
// against an S3 endpoint and prints its report: N clients of mixed
// operations for a set duration, every byte read checked against what was
// written. It exits 1 when anything read differs from what was written.
//
// Credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, extra
// trusted CAs from AWS_CA_BUNDLE: `s3vpce exec` sets all three.
//
//	s3vpce exec -- s3vpce-soak -clients 64 -duration 10m -create-bucket \
//	    -endpoint https://bucket.vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/s3vpce/s3vpce/internal/soak"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("s3vpce-soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	region := getenv("AWS_REGION")
	if region == "" {
		region = getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		region = soak.DefaultRegion
	}
	o := soak.Options{
		AccessKeyID: getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken: getenv("AWS_SESSION_TOKEN"), CABundle: getenv("AWS_CA_BUNDLE"),
	}
	fs.StringVar(&o.Endpoint, "endpoint", "", "S3 base URL, e.g. https://bucket.vpce-….s3.us-east-1.vpce.amazonaws.com (required)")
	fs.StringVar(&o.Region, "region", region, "signing region (default $AWS_REGION, $AWS_DEFAULT_REGION or us-east-1)")
	fs.StringVar(&o.Bucket, "bucket", soak.DefaultBucket, "bucket to work in")
	fs.BoolVar(&o.CreateBucket, "create-bucket", false, "create the bucket first (one already yours is fine)")
	fs.BoolVar(&o.PathStyle, "path-style", false, "path-style addressing instead of virtual-hosted")
	fs.StringVar(&o.Prefix, "prefix", "", "key prefix of this run (default soak-<UTC time>)")
	fs.BoolVar(&o.Keep, "keep", false, "leave the objects in place at the end")
	fs.IntVar(&o.Clients, "clients", 16, "concurrent clients")
	fs.DurationVar(&o.Duration, "duration", time.Minute, "how long the clients draw new operations")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of key choices, sizes and content")
	fs.IntVar(&o.RSSPID, "rss-pid", 0, "sample this process's VmRSS during the run")
	fs.DurationVar(&o.RSSInterval, "rss-interval", soak.DefaultRSSInterval, "RSS sampling interval")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	verbose := fs.Bool("v", false, "log every failed operation")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: s3vpce-soak -endpoint URL [flags]\n\nRun N clients of mixed S3 operations for a duration, verify every byte read,\nand report ops/s, errors by code, latency per operation and RSS. Exit 1 on\nany mismatch. Credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, CA\nfrom AWS_CA_BUNDLE.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "s3vpce-soak: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if o.Endpoint == "" {
		fmt.Fprintln(stderr, "s3vpce-soak: -endpoint is required")
		return 2
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	o.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	rep, runErr := soak.Run(ctx, o)
	if runErr != nil && rep.Ops == 0 {
		fmt.Fprintf(stderr, "s3vpce-soak: %v\n", runErr)
		return 1
	}
	var err error
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce-soak: %v\n", err)
		return 1
	}
	if rep.Mismatches > 0 {
		fmt.Fprintf(stderr, "s3vpce-soak: %d mismatches between what was written and what was read\n", rep.Mismatches)
		return 1
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "s3vpce-soak: %v\n", runErr)
		return 1
	}
	return 0
}
