package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/s3vpce/s3vpce/internal/bench"
)

// subcommand runs the real path's processes, which s3vpce-bench -real
// starts (internal/bench/real.go):
//
//	s3vpce-bench client -endpoint URL [-dial ADDR] [-ca FILE] (-set-policy | -prepare -workload W -clients N |
//	             -workload W -variant V -clients N -duration D)
//	s3vpce-bench serve-bare [-addr 127.0.0.1:0] -ca-out FILE
//
// It reports whether args named one, and its exit status.
func subcommand(ctx context.Context, args []string, stdout, stderr io.Writer) (bool, int) {
	if len(args) == 0 {
		return false, 0
	}
	var err error
	switch args[0] {
	case "client":
		err = clientCmd(ctx, args[1:], stdout, stderr)
	case "serve-bare":
		err = serveBareCmd(ctx, args[1:], stdout, stderr)
	default:
		return false, 0
	}
	if err == flag.ErrHelp {
		return true, 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce-bench %s: %v\n", args[0], err)
		return true, 1
	}
	return true, 0
}

// clientCmd is one client process: a measurement's sample goes to stdout
// as JSON.
func clientCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg bench.ClientConfig
	fs.StringVar(&cfg.Endpoint, "endpoint", "", "S3 endpoint URL (path style)")
	fs.StringVar(&cfg.Dial, "dial", "", "dial this address for every connection (default: resolve the endpoint's name)")
	fs.StringVar(&cfg.CAFile, "ca", "", "trust only this CA PEM file (default: the system's roots)")
	fs.BoolVar(&cfg.SetPolicy, "set-policy", false, "put the bench bucket policy on the bucket and exit")
	fs.BoolVar(&cfg.Prepare, "prepare", false, "write the objects the workload reads and exit")
	fs.StringVar(&cfg.Workload, "workload", "", "workload")
	fs.StringVar(&cfg.Variant, "variant", bench.VariantUnsigned, "payload variant: unsigned or default")
	fs.IntVar(&cfg.Clients, "clients", 16, "concurrent clients")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "length of the measurement")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.Endpoint == "" || fs.NArg() > 0 {
		return fmt.Errorf("want -endpoint URL and no arguments")
	}
	// The credentials a user's program gets: s3vpce exec exports the
	// emulator's.
	cfg.AccessKeyID, cfg.SecretAccessKey = os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	return bench.RunClient(ctx, cfg, stdout)
}

// serveBareCmd serves the bare target until interrupted.
func serveBareCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve-bare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback address to listen on")
	caOut := fs.String("ca-out", "", "write the CA's PEM to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *caOut == "" || fs.NArg() > 0 {
		return fmt.Errorf("want -ca-out FILE and no arguments")
	}
	return bench.ServeBare(ctx, *addr, *caOut, func(addr string) { fmt.Fprintf(stdout, "%s%s\n", bench.BareBanner, addr) })
}
