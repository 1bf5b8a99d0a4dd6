package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/s3vpce/s3vpce/certs"
)

const usage = `s3vpce: Amazon S3 through an AWS PrivateLink interface endpoint, offline.

usage:
  s3vpce [--home DIR] COMMAND ...
  s3vpce serve [flags]            run the emulator (HTTPS, DNS) on its defaults
  s3vpce exec [flags] -- CMD...   run CMD where the vpce names resolve to the
                                  endpoint's private IPs and reach the emulator
  s3vpce env                      export lines for this shell: eval "$(s3vpce env)"
  s3vpce version                  version, commit, Go version (also --version)
  s3vpce completion bash|zsh|fish shell completion script
  s3vpce endpoint-policy get|set FILE|reset
                                  read or change a running serve's endpoint policy
  s3vpce explain [REQUEST_ID]     how a recent request was decided (policy trace)
  s3vpce explain --would-deny     what audit mode let through, by policy statement
  s3vpce policy-mode [enforce|audit]
                                  read or change a running serve's policy mode
  s3vpce policy validate FILE     check a policy document (located errors)
  s3vpce policy simulate ...      evaluate a request against policies
  s3vpce dns records              print the DNS records served
  s3vpce topology import|export|validate
                                  a topology file from aws ec2 describe-*
                                  output, or of the running serve; check one
  s3vpce ca path|install|uninstall
                                  the CA's PEM path; trust it on the host, or stop
  s3vpce help                     this text

--home DIR (default $S3VPCE_HOME, $XDG_DATA_HOME/s3vpce or
~/.local/share/s3vpce) is the state directory: the CA, the running serve's
sockets. Give it before or after COMMAND.

Run "s3vpce COMMAND -h" for a command's flags.
`

// run is the whole program minus process concerns: it returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g, args, err := parseGlobalFlags(args)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "s3vpce: %v\n\n%s", err, usage)
		return 2
	case g.version:
		return runVersion(ctx, nil, stdout, stderr)
	case g.help:
		fmt.Fprint(stdout, usage)
		return 0
	case len(args) == 0:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if args, err = g.apply(args); err != nil {
		fmt.Fprintf(stderr, "s3vpce: %v\n", err)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "exec":
		return runExec(ctx, args[1:], stdin, stdout, stderr)
	case "env":
		return runEnv(ctx, args[1:], stdout, stderr)
	case "version":
		return runVersion(ctx, args[1:], stdout, stderr)
	case "completion":
		return runCompletion(ctx, args[1:], stdout, stderr)
	case "dns":
		return runDNS(ctx, args[1:], stdout, stderr)
	case "endpoint-policy":
		return runEndpointPolicy(ctx, args[1:], stdin, stdout, stderr)
	case "explain":
		return runExplain(ctx, args[1:], stdout, stderr)
	case "policy-mode":
		return runPolicyMode(ctx, args[1:], stdout, stderr)
	case "policy":
		return runPolicy(ctx, args[1:], stdout, stderr)
	case "ca":
		return runCA(ctx, args[1:], stdout, stderr)
	case "topology":
		return runTopology(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "s3vpce: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

// stateDir returns the --home flag's value, else the default state directory.
func stateDir(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	return certs.DefaultDir(os.Getenv)
}
