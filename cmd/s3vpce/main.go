// Command s3vpce is an offline emulator of Amazon S3 reached through an AWS
// PrivateLink interface endpoint. Run "s3vpce help" for usage.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/s3vpce/s3vpce/internal/netns"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == netns.InitArg {
		os.Exit(netns.Init())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
