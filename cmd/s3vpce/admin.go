package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// adminSocket is the admin API's Unix socket in the state directory.
const adminSocket = "admin.sock"

// adminServer serves the emulator's admin API on a Unix socket (0600).
type adminServer struct {
	srv  *http.Server
	path string
	done chan struct{}
}

func listenAdmin(path string, h http.Handler) (*adminServer, error) {
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	a := &adminServer{srv: &http.Server{Handler: h}, path: path, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		a.srv.Serve(ln)
	}()
	return a, nil
}

func (a *adminServer) Close() error {
	err := a.srv.Shutdown(context.Background())
	<-a.done
	os.Remove(a.path)
	return err
}

// adminClient talks to a running serve's admin socket.
func adminClient(home string) (*http.Client, error) {
	dir, err := stateDir(home)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, adminSocket)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no running s3vpce serve with state directory %s (%s is missing): start one, or pass --home", dir, path)
	}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}, nil
}

// adminDo sends one admin request and returns the body of a 2xx answer.
func adminDo(ctx context.Context, c *http.Client, method, path string, body io.Reader) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://s3vpce"+path, body)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("admin API: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, errors.New(strings.TrimSpace(string(b)))
	}
	return b, nil
}

const endpointPolicyUsage = `usage: s3vpce endpoint-policy [--home DIR] [--endpoint ID] get | set FILE | reset

Read or change the endpoint policy of a running "s3vpce serve". A change
applies to the next request; "reset" restores AWS's default full-access
policy. FILE is validated as an endpoint policy first ("-" reads stdin).
`

func runEndpointPolicy(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("s3vpce endpoint-policy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	home := fs.String("home", "", "state directory of the running serve")
	id := fs.String("endpoint", vpce.DefaultEndpointID, "endpoint ID")
	fs.Usage = func() { fmt.Fprint(stderr, endpointPolicyUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return 2
	}
	c, err := adminClient(*home)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce endpoint-policy: %v\n", err)
		return 1
	}
	path := "/v1/endpoints/" + *id + "/policy"
	var out []byte
	switch {
	case rest[0] == "get" && len(rest) == 1:
		out, err = adminDo(ctx, c, http.MethodGet, path, nil)
	case rest[0] == "reset" && len(rest) == 1:
		_, err = adminDo(ctx, c, http.MethodDelete, path, nil)
	case rest[0] == "set" && len(rest) == 2:
		var doc []byte
		if rest[1] == "-" {
			doc, err = io.ReadAll(stdin)
		} else {
			doc, err = os.ReadFile(rest[1])
		}
		if err == nil {
			_, err = adminDo(ctx, c, http.MethodPut, path, strings.NewReader(string(doc)))
			if err != nil {
				err = fmt.Errorf("%s: %w", rest[1], err)
			}
		}
	default:
		fs.Usage()
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce endpoint-policy: %v\n", err)
		return 1
	}
	if len(out) > 0 {
		stdout.Write(out)
		if out[len(out)-1] != '\n' {
			fmt.Fprintln(stdout)
		}
	}
	return 0
}

func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("s3vpce explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	home := fs.String("home", "", "state directory of the running serve")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: s3vpce explain [--home DIR] REQUEST_ID\n\nPrint how a recent request was decided: every check, policy and statement.\nREQUEST_ID is the RequestId of an S3 response (403 bodies carry it).\nWithout REQUEST_ID, list recent decisions.\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	c, err := adminClient(*home)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce explain: %v\n", err)
		return 1
	}
	path := "/v1/decisions"
	switch fs.NArg() {
	case 0:
	case 1:
		path += "/" + fs.Arg(0)
	default:
		fs.Usage()
		return 2
	}
	out, err := adminDo(ctx, c, http.MethodGet, path, nil)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce explain: %v\n", err)
		return 1
	}
	stdout.Write(out)
	return 0
}
