package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

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

const endpointPolicyUsage = `usage: s3vpce endpoint-policy get | set FILE | reset  [--home DIR] [--endpoint ID]

Read or change the endpoint policy of a running "s3vpce serve". A change
applies to the next request; "reset" restores AWS's default full-access
policy. FILE is validated as an endpoint policy first ("-" reads stdin).
`

func runEndpointPolicy(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := newAdminCommand("s3vpce endpoint-policy", endpointPolicyUsage, stderr)
	fs, home := cmd.fs, cmd.home
	id := fs.String("endpoint", vpce.DefaultEndpointID, "endpoint ID")
	rest, code, ok := cmd.parse(args)
	if !ok {
		return code
	}
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

const explainUsage = `usage: s3vpce explain [--home DIR] [--json] [-n N] [REQUEST_ID]
       s3vpce explain --would-deny [--reset] [--home DIR] [--json]

Without REQUEST_ID, list the running serve's recent decisions, newest
first: time, request ID, principal, operation, decision, S3 error code and
the deciding policy statement. With REQUEST_ID (the RequestId of an S3
response; 403 bodies carry it), print how that request was decided: every
check, policy and statement. --json prints the same as JSON.

--would-deny lists what audit mode (s3vpce policy-mode) let through that a
policy denies, grouped by policy statement, action and principal, most
frequent first; --reset then empties that list.
`

func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := newAdminCommand("s3vpce explain", explainUsage, stderr)
	fs, home := cmd.fs, cmd.home
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	n := fs.Int("n", 20, "list at most `N` recent decisions")
	wouldDeny := fs.Bool("would-deny", false, "list the requests audit mode let through, grouped by policy statement, action and principal")
	reset := fs.Bool("reset", false, "with --would-deny: empty the list after printing it")
	rest, code, ok := cmd.parse(args)
	if !ok {
		return code
	}
	if len(rest) > 1 || *n <= 0 || (*wouldDeny && len(rest) > 0) || (*reset && !*wouldDeny) {
		fs.Usage()
		return 2
	}
	c, err := adminClient(*home)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce explain: %v\n", err)
		return 1
	}
	switch {
	case *wouldDeny:
		err = explainWouldDeny(ctx, c, *asJSON, *reset, stdout)
	case len(rest) == 1:
		err = explainOne(ctx, c, rest[0], *asJSON, stdout)
	default:
		err = explainList(ctx, c, *n, *asJSON, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce explain: %v\n", err)
		return 1
	}
	return 0
}

// decisionLine is one entry of the admin API's GET /v1/decisions: Detail
// is the S3 error code of a request refused before or instead of policy
// evaluation, else the last check's decision. Other fields the server adds
// are kept in the JSON output as they come.
type decisionLine struct {
	RequestID, Time, Endpoint, Principal, Operation, Decision, Detail string
	// Hint is the usual cause of a refusal and what to change, when the
	// server knows it.
	Hint string
	// Source is the client's address and Path the way it came (an
	// instance through an interface or gateway endpoint, an internet
	// gateway), when the server knows them.
	Source, Path string
}

// codeAndStatement splits Detail into the S3 error code and the deciding
// policy statement: a refusal by policy is S3's AccessDenied.
func (l decisionLine) codeAndStatement() (code, statement string) {
	switch {
	case l.Detail != "" && !strings.ContainsRune(l.Detail, ' '):
		return l.Detail, "-"
	case l.Decision == "deny":
		return "AccessDenied", l.Detail
	case l.Detail == "":
		return "-", "-"
	}
	return "-", l.Detail
}

func fetchDecisions(ctx context.Context, c *http.Client, n int) ([]byte, []decisionLine, error) {
	raw, err := adminDo(ctx, c, http.MethodGet, "/v1/decisions?n="+strconv.Itoa(n), nil)
	if err != nil {
		return nil, nil, err
	}
	var lines []decisionLine
	if err := json.Unmarshal(raw, &lines); err != nil {
		return nil, nil, fmt.Errorf("admin API: decisions: %w", err)
	}
	return raw, lines, nil
}

// explainList prints recent decisions as a table, or as JSON.
func explainList(ctx context.Context, c *http.Client, n int, asJSON bool, w io.Writer) error {
	raw, lines, err := fetchDecisions(ctx, c, n)
	if err != nil {
		return err
	}
	if asJSON {
		return writeIndentedJSON(w, raw)
	}
	if len(lines) == 0 {
		_, err := fmt.Fprintln(w, "no requests yet")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	// The source column appears once a request came from an instance or
	// another known place (s3vpce exec --instance).
	sources := slices.ContainsFunc(lines, func(l decisionLine) bool { return l.Source != "" })
	if sources {
		fmt.Fprintln(tw, "TIME\tREQUEST ID\tSOURCE\tPRINCIPAL\tOPERATION\tDECISION\tCODE\tPOLICY STATEMENT")
	} else {
		fmt.Fprintln(tw, "TIME\tREQUEST ID\tPRINCIPAL\tOPERATION\tDECISION\tCODE\tPOLICY STATEMENT")
	}
	for _, l := range lines {
		code, stmt := l.codeAndStatement()
		if sources {
			src := dash(l.Source)
			if l.Path != "" {
				src += " (" + l.Path + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Time, l.RequestID, src, dash(l.Principal), dash(l.Operation), l.Decision, code, stmt)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Time, l.RequestID, dash(l.Principal), dash(l.Operation), l.Decision, code, stmt)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	first := true
	for _, l := range lines {
		if l.Hint == "" {
			continue
		}
		if first {
			fmt.Fprintln(w, "\nhints:")
			first = false
		}
		fmt.Fprintf(w, "  %s  %s\n", l.RequestID, l.Hint)
	}
	return nil
}

// explainOne prints one request's evaluation trace; as JSON, its decision
// line with the trace text added as "Trace".
func explainOne(ctx context.Context, c *http.Client, id string, asJSON bool, w io.Writer) error {
	trace, err := adminDo(ctx, c, http.MethodGet, "/v1/decisions/"+url.PathEscape(id), nil)
	if err != nil {
		return err
	}
	if !asJSON {
		_, err := w.Write(trace)
		return err
	}
	raw, lines, err := fetchDecisions(ctx, c, decisionLogSize)
	if err != nil {
		return err
	}
	var all []map[string]any
	if err := json.Unmarshal(raw, &all); err != nil {
		return fmt.Errorf("admin API: decisions: %w", err)
	}
	out := map[string]any{"RequestID": id}
	for i, l := range lines {
		if l.RequestID == id && i < len(all) {
			out = all[i]
		}
	}
	out["Trace"] = string(trace)
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// decisionLogSize is how many decisions a serve keeps (emulator's log).
const decisionLogSize = 4096

func writeIndentedJSON(w io.Writer, raw []byte) error {
	var b bytes.Buffer
	if err := json.Indent(&b, bytes.TrimSpace(raw), "", "  "); err != nil {
		return fmt.Errorf("admin API: decisions: %w", err)
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
