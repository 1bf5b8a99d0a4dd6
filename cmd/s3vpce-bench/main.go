// Command s3vpce-bench measures s3vpce's PrivateLink path against bare
// gofakes3 and between its stores, in one run (see internal/bench):
//
//	s3vpce-bench [-clients 16] [-duration 10s] [-rounds 3] [-warmup 1s] [-targets bare,memory,dir,authoff]
//	             [-workloads put-1KiB,get-1KiB,put-1MiB,get-1MiB,mixed-1MiB] [-variants unsigned,default] [-json FILE]
//	             [-cpuprofile FILE] [-memprofile FILE]
//	s3vpce-bench -upstream [...]   upstream mode: targets upstream,via-upstream, workloads put-1KiB,get-1KiB,get-1MiB
//	s3vpce-bench -serve-upstream 127.0.0.1:0 -upstream-dir DIR   only run the bench upstream (scripts/upstream-rss)
//	s3vpce-bench -real -s3vpce PATH [...]   the real path: s3vpce serve and client processes through s3vpce exec
//	s3vpce-bench client|serve-bare ...      the real path's processes (client.go)
//
// scripts/bench builds and runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/s3vpce/s3vpce/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if ok, code := subcommand(ctx, os.Args[1:], os.Stdout, os.Stderr); ok {
		stop()
		os.Exit(code)
	}
	clients := flag.Int("clients", 16, "concurrent clients")
	duration := flag.Duration("duration", 10*time.Second, "length of each measurement")
	rounds := flag.Int("rounds", 3, "alternating rounds")
	warmup := flag.Duration("warmup", time.Second, "an unrecorded measurement of this length before the first of each workload, variant and target (0: none)")
	targets := flag.String("targets", "", "targets, comma-separated: bare, memory, dir, authoff, upstream, via-upstream (default the first four)")
	workloads := flag.String("workloads", "", "workloads, comma-separated (default all)")
	variants := flag.String("variants", "", "payload variants, comma-separated: unsigned, default (default both)")
	jsonOut := flag.String("json", "", "also write the report as JSON to this file")
	quiet := flag.Bool("q", false, "no progress lines")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (servers and clients) to this file")
	memProfile := flag.String("memprofile", "", "write an allocation profile of the whole run to this file")
	upstream := flag.Bool("upstream", false, "upstream mode's rows: targets upstream,via-upstream and, unless -workloads says, put-1KiB,get-1KiB,get-1MiB")
	serveUpstream := flag.String("serve-upstream", "", "only serve the bench upstream on this address (plain HTTP) until interrupted; prints its URL")
	upstreamDir := flag.String("upstream-dir", "", "with -serve-upstream: keep its objects in a dir store here (default in memory)")
	realPath := flag.Bool("real", false, "measure through the real path: every target a process (s3vpce serve, serve-bare), every measurement's clients a process run through s3vpce exec (needs root or user namespaces)")
	s3vpceBin := flag.String("s3vpce", "", "with -real: the s3vpce program (scripts/bench builds it)")
	flag.Parse()
	if *serveUpstream != "" {
		err := bench.ServeUpstream(ctx, *serveUpstream, *upstreamDir, func(url string) { fmt.Printf("upstream %s\n", url) })
		if err != nil {
			fmt.Fprintf(os.Stderr, "s3vpce-bench: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if *upstream {
		*targets = bench.TargetUpstream + "," + bench.TargetViaUpstream
		if *workloads == "" {
			*workloads = "put-1KiB,get-1KiB,get-1MiB"
		}
	}
	split := func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(s, ",")
	}
	cfg := bench.Config{Clients: *clients, Duration: *duration, Rounds: *rounds, Warmup: *warmup,
		Targets: split(*targets), Workloads: split(*workloads), Variants: split(*variants)}
	if !*quiet {
		cfg.Progress = os.Stderr
	}
	if *realPath {
		self, err := os.Executable()
		if err != nil || *s3vpceBin == "" {
			fmt.Fprintf(os.Stderr, "s3vpce-bench: -real needs -s3vpce PATH and its own path (%v)\n", err)
			os.Exit(2)
		}
		cfg.Real = &bench.Real{S3vpce: *s3vpceBin, Bench: self}
	}
	stopProfiles, err := startProfiles(*cpuProfile, *memProfile)
	if err != nil {
		fmt.Fprintf(os.Stderr, "s3vpce-bench: %v\n", err)
		os.Exit(1)
	}
	rep, err := bench.Run(ctx, cfg)
	if perr := stopProfiles(); err == nil {
		err = perr
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "s3vpce-bench: %v\n", err)
		os.Exit(1)
	}
	rep.WriteTable(os.Stdout)
	if *jsonOut != "" {
		f, err := os.Create(*jsonOut)
		if err == nil {
			err = rep.WriteJSON(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "s3vpce-bench: %v\n", err)
			os.Exit(1)
		}
	}
	if len(rep.FirstErrors) > 0 {
		os.Exit(1)
	}
}
