// Command s3vpce-bench measures s3vpce's PrivateLink path against bare
// gofakes3 and between its stores, in one run (see internal/bench):
//
//	s3vpce-bench [-clients 16] [-duration 10s] [-rounds 3] [-targets bare,memory,dir,authoff]
//	             [-workloads put-1KiB,get-1KiB,put-1MiB,get-1MiB,mixed-1MiB] [-variants unsigned,default] [-json FILE]
//	             [-cpuprofile FILE] [-memprofile FILE]
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
	"time"

	"github.com/s3vpce/s3vpce/internal/bench"
)

func main() {
	clients := flag.Int("clients", 16, "concurrent clients")
	duration := flag.Duration("duration", 10*time.Second, "length of each measurement")
	rounds := flag.Int("rounds", 3, "alternating rounds")
	targets := flag.String("targets", "", "targets, comma-separated: bare, memory, dir, authoff (default all)")
	workloads := flag.String("workloads", "", "workloads, comma-separated (default all)")
	variants := flag.String("variants", "", "payload variants, comma-separated: unsigned, default (default both)")
	jsonOut := flag.String("json", "", "also write the report as JSON to this file")
	quiet := flag.Bool("q", false, "no progress lines")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (servers and clients) to this file")
	memProfile := flag.String("memprofile", "", "write an allocation profile of the whole run to this file")
	flag.Parse()
	split := func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(s, ",")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg := bench.Config{Clients: *clients, Duration: *duration, Rounds: *rounds,
		Targets: split(*targets), Workloads: split(*workloads), Variants: split(*variants)}
	if !*quiet {
		cfg.Progress = os.Stderr
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
