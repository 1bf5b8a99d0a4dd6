package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/certs"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

const envUsage = `usage: s3vpce env [--home DIR]

Print export lines that point the AWS SDKs and CLIs of this shell at the
running "s3vpce serve" (same --home):

  eval "$(s3vpce env)"

AWS_ENDPOINT_URL_S3 is the endpoint's regional name on serve's HTTPS port;
that name must resolve to the emulator (an /etc/hosts line, printed as a
comment). AWS_ENDPOINT_URL_EC2 is the EC2 API (https://localhost:port),
for aws ec2 create-vpc-endpoint and friends (aws CLI v2.13+; older:
--endpoint-url). Inside "s3vpce exec" none of this is needed. Without a running
serve, the defaults are printed and a note goes to standard error.
`

func runEnv(_ context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := newAdminCommand("s3vpce env", envUsage, stderr)
	home := cmd.home
	rest, code, ok := cmd.parse(args)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "s3vpce env: unexpected argument %q\n", rest[0])
		return 2
	}
	dir, err := stateDir(*home)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce env: %v\n", err)
		return 1
	}
	st, running := readServeState(dir)
	if _, err := os.Stat(filepath.Join(dir, serveStateFile)); errors.Is(err, os.ErrPermission) {
		fmt.Fprintf(stderr, "s3vpce env: %v: the serve runs as another user; run s3vpce env as that user, or give your own serve its own --home\n", err)
		return 1
	}
	if !running || st.EndpointURL == "" {
		fmt.Fprintf(stderr, "s3vpce env: no s3vpce serve is running with state directory %s: these are its defaults (start it with: s3vpce serve%s)\n", dir, homeFlag(dir))
		st = defaultServeState(dir)
	}
	writeEnv(stdout, st)
	return 0
}

// writeEnv prints the export lines for st, and the /etc/hosts line its
// endpoint name needs as a comment.
func writeEnv(w io.Writer, st serveState) {
	for _, kv := range [][2]string{
		{"AWS_ENDPOINT_URL_S3", st.EndpointURL},
		{"AWS_ENDPOINT_URL_EC2", st.EC2URL},
		{"AWS_CA_BUNDLE", st.CAFile},
		{"AWS_ACCESS_KEY_ID", st.AccessKeyID},
		{"AWS_SECRET_ACCESS_KEY", st.SecretAccessKey},
		{"AWS_DEFAULT_REGION", st.Region},
		{"AWS_REGION", st.Region},
	} {
		fmt.Fprintf(w, "export %s=%s\n", kv[0], shellQuote(kv[1]))
	}
	if host := endpointHost(st.EndpointURL); host != "" {
		fmt.Fprintf(w, "# %s must resolve to the emulator, e.g.: echo '127.0.0.1 %s' | sudo tee -a /etc/hosts\n", host, host)
	}
}

// stateFor describes a started serve for "s3vpce env".
func stateFor(srv *emulator.Server, caFile string, creds []emulator.Credential) serveState {
	e := srv.Topology().Endpoints()[0]
	_, portStr, _ := net.SplitHostPort(srv.Addr())
	port, _ := strconv.Atoi(portStr)
	c := emulator.DefaultCredential()
	if len(creds) > 0 {
		c = creds[0]
	}
	return serveState{
		PID: os.Getpid(), HTTPS: srv.Addr(), EndpointURL: e.BucketURL("", port), EC2URL: srv.EC2URL(), CAFile: caFile, Region: e.Region,
		AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
	}
}

// defaultServeState is what a serve started with its defaults in dir
// would write.
func defaultServeState(dir string) serveState {
	e := vpce.DefaultEndpoint()
	_, portStr, _ := net.SplitHostPort(defaultHTTPSAddr)
	port, _ := strconv.Atoi(portStr)
	c := emulator.DefaultCredential()
	return serveState{
		EndpointURL: e.BucketURL("", port), EC2URL: fmt.Sprintf("https://localhost:%d", port), CAFile: filepath.Join(dir, certs.CertFile), Region: e.Region,
		AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
	}
}

// endpointHost is the host name of an https://host:port URL.
func endpointHost(u string) string {
	hostport, ok := strings.CutPrefix(u, "https://")
	if !ok {
		return ""
	}
	hostport, _, _ = strings.Cut(hostport, "/")
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// homeFlag is " --home DIR" (quoted for the shell) when home is not the
// state directory a command finds without --home and without
// $S3VPCE_HOME (which another shell may not have), else "".
func homeFlag(home string) string {
	def, err := certs.DefaultDir(func(k string) string {
		if k == "S3VPCE_HOME" {
			return ""
		}
		return os.Getenv(k)
	})
	if err == nil && filepath.Clean(def) == filepath.Clean(home) {
		return ""
	}
	return " --home " + shellQuote(home)
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`)

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
