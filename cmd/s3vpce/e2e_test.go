package main

// End-to-end tests: the real s3vpce program (this test binary re-executed
// as main), real network namespaces, real DNS, real TLS and real clients
// (Debian's aws CLI v2, aws CLI v1 where present, s3cmd).

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/s3vpce/s3vpce/internal/netns"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

const envAsMain = "S3VPCE_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == netns.InitArg {
		os.Exit(netns.Init())
	}
	if os.Getenv(envProbe) == "1" { // before envAsMain, which it inherits
		os.Exit(probe(os.Stdin, os.Stdout))
	}
	if os.Getenv(envAsMain) == "1" {
		main()
	}
	flag.Parse()
	if !flagSet("test.parallel") {
		// The end-to-end tests spend their time waiting for child
		// processes (serve, exec, clients), not in this process: more of
		// them at once than GOMAXPROCS keeps the cores busy. -parallel N
		// overrides this.
		flag.Set("test.parallel", strconv.Itoa(max(runtime.GOMAXPROCS(0), defaultParallel)))
	}
	os.Exit(m.Run())
}

// defaultParallel is how many parallel tests run at once unless -parallel
// says otherwise.
const defaultParallel = 4

// flagSet says whether the command line set the flag name.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

const (
	regionalName = "vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com"
	zonalName    = "vpce-0a77994aa2124c299-9tcntpvn-us-east-1d.s3.us-east-1.vpce.amazonaws.com"
)

// needNamespaces stops a test that cannot create namespaces here.
func needNamespaces(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces (CI runs as root)")
	}
}

// s3vpceCmd runs this test binary as the s3vpce program, with a clean,
// explicit environment: no AWS settings from the machine leak in.
func s3vpceCmd(t *testing.T, home string, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), self, args...)
	cmd.Env = []string{
		envAsMain + "=1",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=" + home,
		"S3VPCE_HOME=" + home,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "no-aws-credentials"),
		"AWS_PAGER=",
		"AWS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt", // as this machine presets it: exec must override it
		"LANG=C.UTF-8",
	}
	return cmd
}

type result struct {
	code           int
	stdout, stderr string
}

func runS3vpce(t *testing.T, home string, args ...string) result {
	t.Helper()
	return runCmd(t, s3vpceCmd(t, home, args...))
}

// runCmd runs cmd and returns its exit status and output; a command that
// cannot start fails the test.
func runCmd(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	return r
}

// startServe runs `s3vpce serve` on ephemeral loopback ports and returns
// once its banner (printed after every listener is up) is complete.
func startServe(t *testing.T, home string, extra ...string) {
	t.Helper()
	waitBanner(t, s3vpceCmd(t, home, append([]string{"serve", "--https-addr", "127.0.0.1:0", "--dns-addr", "127.0.0.1:0"}, extra...)...))
}

// waitBanner starts cmd (s3vpce serve, however wrapped) and returns once its
// banner is complete, that is once every listener is up; t.Cleanup stops it.
func waitBanner(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "From this shell instead") {
			go io.Copy(io.Discard, stdout)
			return
		}
	}
	cmd.Wait()
	t.Fatalf("%s exited before its banner; stderr:\n%s", strings.Join(cmd.Args, " "), stderr.String())
}

func writeRandom(t *testing.T, path string, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

func sameFile(t *testing.T, a, b string) {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(x, y) {
		t.Fatalf("%s (%d bytes) and %s (%d bytes) differ", a, len(x), b, len(y))
	}
}

func TestExecNslookupPrintsSeedAnswer(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	home := t.TempDir()
	r := runS3vpce(t, home, "exec", "--", "nslookup", zonalName)
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	want, err := os.ReadFile("../../testdata/seed-nslookup.golden")
	if err != nil {
		t.Fatal(err)
	}
	if r.stdout != string(want) {
		t.Errorf("nslookup through s3vpce exec:\n%s\nwant the seed's:\n%s", r.stdout, want)
	}
	// A name with the region dropped does not resolve (facts §1, §9.2).
	r = runS3vpce(t, home, "exec", "--", "nslookup", "bucket.vpce-0a77994aa2124c299-9tcntpvn.s3.vpce.amazonaws.com")
	if r.code == 0 || !strings.Contains(r.stdout, "NXDOMAIN") {
		t.Errorf("region-less name: exit %d, output %q; want NXDOMAIN", r.code, r.stdout)
	}
}

func TestExecStandaloneExitStatusAndEnv(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	home := t.TempDir()
	r := runS3vpce(t, home, "exec", "--", "sh", "-c", `echo "$NODE_EXTRA_CA_CERTS|$AWS_CA_BUNDLE|$SSL_CERT_FILE|$AWS_ACCESS_KEY_ID|$AWS_DEFAULT_REGION|$AWS_ENDPOINT_URL_EC2"; exit 7`)
	if r.code != 7 {
		t.Fatalf("exit status %d, want the command's 7; stderr %s", r.code, r.stderr)
	}
	ca := filepath.Join(home, "rootCA.pem")
	// The system store trusts the CA: no CA file variable by default (the
	// caller's AWS_CA_BUNDLE is dropped), NODE_EXTRA_CA_CERTS for Node.
	want := ca + "|||AKIAS3VPCE0EXAMPLE01|us-east-1|https://localhost\n"
	if r.stdout != want {
		t.Errorf("command environment %q, want %q", r.stdout, want)
	}
	fi, err := os.Stat(filepath.Join(home, "rootCA-key.pem"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("CA key: %v, mode %v; want 0600", err, fi)
	}
	if r := runS3vpce(t, home, "exec", "--", "no-such-command-s3vpce"); r.code == 0 || !strings.Contains(r.stderr, "command not found") {
		t.Errorf("missing command: exit %d, stderr %q", r.code, r.stderr)
	}
}

// awsCLIs returns the aws CLIs to test: Debian's v2 (required) and the v1
// that pyenv installs on this kind of machine, where present.
func awsCLIs(t *testing.T) map[string]string {
	t.Helper()
	clis := map[string]string{}
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Fatalf("Debian's aws CLI v2 (/usr/bin/aws) is missing: run .ci/run or apt-get install awscli")
	}
	clis["v2"] = "/usr/bin/aws"
	if home, err := os.UserHomeDir(); err == nil {
		if m, _ := filepath.Glob(filepath.Join(home, ".pyenv/versions/*/bin/aws")); len(m) > 0 {
			clis["v1"] = m[0]
		}
	}
	return clis
}

func TestAWSCLIThroughEndpointNames(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	home := t.TempDir()
	startServe(t, home)
	small := filepath.Join(home, "small.txt")
	big := filepath.Join(home, "big.bin")
	writeRandom(t, small, 1234)
	writeRandom(t, big, 50<<20)
	for version, aws := range awsCLIs(t) {
		for i, name := range []string{regionalName, zonalName} {
			t.Run(version+"/"+strings.SplitN(name, ".", 2)[0], func(t *testing.T) {
				t.Parallel() // each its own bucket; they share the serve and the files
				url := "https://bucket." + name
				bucket := fmt.Sprintf("e2e-%s-%d", version, i)
				back := filepath.Join(home, bucket+".back")
				script := strings.Join([]string{
					`set -e`,
					`A="$AWS --endpoint-url $URL"`,
					`$A s3 mb s3://$B`,
					`$A s3 cp $SMALL s3://$B/dir/small.txt`,
					`$A s3 cp $BIG s3://$B/big.bin --only-show-errors`,
					`$A s3 cp s3://$B/big.bin $BACK --only-show-errors`,
					`$A s3 cp s3://$B/dir/small.txt $BACK.small --only-show-errors`,
				}, "\n")
				cmd := s3vpceCmd(t, home, "exec", "--", "sh", "-c", script)
				cmd.Env = append(cmd.Env, "AWS="+aws, "URL="+url, "B="+bucket, "SMALL="+small, "BIG="+big, "BACK="+back)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				sameFile(t, big, back)
				sameFile(t, small, back+".small")

				// A second exec shares the running serve's buckets.
				r := runS3vpce(t, home, "exec", "--", aws, "--endpoint-url", url, "s3", "ls", "s3://"+bucket, "--recursive")
				if r.code != 0 || !strings.Contains(r.stdout, "52428800 big.bin") || !strings.Contains(r.stdout, "1234 dir/small.txt") {
					t.Fatalf("s3 ls: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
				}
				r = runS3vpce(t, home, "exec", "--", aws, "--endpoint-url", url, "s3", "ls")
				if r.code != 0 || !strings.Contains(r.stdout, " "+bucket+"\n") {
					t.Fatalf("s3 ls (buckets): exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
				}
				r = runS3vpce(t, home, "exec", "--", "sh", "-c",
					aws+" --endpoint-url "+url+" s3 rm s3://"+bucket+" --recursive && "+aws+" --endpoint-url "+url+" s3 rb s3://"+bucket)
				if r.code != 0 || !strings.Contains(r.stdout, "remove_bucket: "+bucket) {
					t.Fatalf("s3 rm/rb: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
				}
			})
		}
	}
}

func TestAWSCLIBareNameFailsTLSLikeSeed(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	golden, err := os.ReadFile("../../testdata/seed-bare-name-error.golden")
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	startServe(t, home)
	for _, name := range []string{zonalName, regionalName} {
		t.Run(strings.SplitN(name, ".", 2)[0], func(t *testing.T) {
			t.Parallel()
			r := runS3vpce(t, home, "exec", "--", "/usr/bin/aws", "--endpoint-url", "https://"+name, "s3", "ls")
			if r.code == 0 {
				t.Fatalf("aws s3 ls on the bare name succeeded:\n%s", r.stdout)
			}
			// The seed typed the zonal name; for the regional one only the
			// name in front of "doesn't match" changes, not the SAN list.
			head, sans, _ := strings.Cut(strings.TrimSpace(string(golden)), " doesn't match ")
			want := strings.ReplaceAll(head, zonalName, name) + " doesn't match " + sans
			if got := strings.TrimSpace(r.stderr); got != want {
				t.Errorf("stderr differs from the seed's error.\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

func TestS3cmdVirtualHosted(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	if _, err := exec.LookPath("s3cmd"); err != nil {
		t.Fatalf("s3cmd is missing: run .ci/run or apt-get install s3cmd")
	}
	home := t.TempDir()
	startServe(t, home)
	cfg := writeS3cmdConfig(t, home)
	small, big := filepath.Join(home, "small"), filepath.Join(home, "big")
	writeRandom(t, small, 4321)
	writeRandom(t, big, 12<<20) // three parts
	script := strings.Join([]string{
		`set -e`,
		`s3cmd -c $CFG mb s3://wsgbucket`,
		`s3cmd -c $CFG put $SMALL s3://wsgbucket/small`,
		`s3cmd -c $CFG put $BIG s3://wsgbucket/dir/big`,
		`s3cmd -c $CFG ls s3://wsgbucket`,
		`s3cmd -c $CFG get s3://wsgbucket/small $SMALL.back`,
		`s3cmd -c $CFG get s3://wsgbucket/dir/big $BIG.back`,
	}, "\n")
	cmd := s3vpceCmd(t, home, "exec", "--", "sh", "-c", script)
	cmd.Env = append(cmd.Env, "CFG="+cfg, "SMALL="+small, "BIG="+big)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(string(out), "DIR  s3://wsgbucket/dir/") {
		t.Errorf("s3cmd ls did not list the dir/ prefix:\n%s", out)
	}
	sameFile(t, small, small+".back")
	sameFile(t, big, big+".back")
}

// writeS3cmdConfig writes an s3cmd configuration for the default endpoint's
// zonal name (virtual-hosted, TLS verified against home's CA, SigV4, 5 MiB
// parts) and returns its path.
func writeS3cmdConfig(t *testing.T, home string) string {
	t.Helper()
	cfg := filepath.Join(home, "s3cfg")
	err := os.WriteFile(cfg, []byte(fmt.Sprintf(`[default]
access_key = AKIAS3VPCE0EXAMPLE01
secret_key = s3vpceLocalSecretKeyDoNotUseOnAWS0000001
host_base = bucket.%[1]s
host_bucket = %%(bucket)s.bucket.%[1]s
bucket_location = us-east-1
use_https = True
check_ssl_certificate = True
ca_certs_file = %[2]s
signature_v2 = False
multipart_chunk_size_mb = 5
`, zonalName, filepath.Join(home, "rootCA.pem"))), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// serveBanner runs serve in-process until it logs ready, stops it and
// returns its stdout and stderr.
func serveBanner(t *testing.T, home string, extra ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	var out syncBuffer
	errb := syncBuffer{marker: "msg=ready", seen: make(chan struct{})}
	done := make(chan int)
	go func() {
		done <- run(ctx, append([]string{"serve", "--home", home, "--https-addr", "127.0.0.1:0", "--dns-addr", "127.0.0.1:0"}, extra...), nil, &out, &errb)
	}()
	select {
	case <-errb.seen:
	case code := <-done:
		t.Fatalf("serve exited %d before logging ready: %s", code, errb.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d: %s", code, errb.String())
	}
	return out.String(), errb.String()
}

func TestServeBanner(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	out, _ := serveBanner(t, home)
	for _, want := range []string{
		"https://bucket." + regionalName,
		"https://bucket." + zonalName + "  -> 172.16.10.143",
		"export AWS_CA_BUNDLE=" + filepath.Join(home, "rootCA.pem"),
		"s3vpce exec --home " + home + " -- aws --endpoint-url https://bucket." + regionalName + " s3 ls",
		"AWS_ACCESS_KEY_ID=AKIAS3VPCE0EXAMPLE01",
		"Auth         SigV4 verified",
		"Policy       " + vpce.DefaultEndpointID + ": AWS's default full-access policy",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}
}

func TestServeAuthOffAndCredentialsFile(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	creds := filepath.Join(home, "creds")
	os.WriteFile(creds, []byte("# test keys\nAKIAALICE00000000001 alicesecret arn:aws:iam::111122223333:user/alice\n"), 0o600)
	out, errs := serveBanner(t, home, "--auth", "off", "--credentials", creds, "--endpoint-policy", "../../testdata/policies/deny-put.json")
	for _, want := range []string{"Auth         OFF", "arn:aws:iam::111122223333:user/alice", "AWS_ACCESS_KEY_ID=AKIAALICE00000000001", "custom (s3vpce endpoint-policy get)"} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "authentication is OFF") {
		t.Errorf("log does not announce auth off:\n%s", errs)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--auth", "maybe"}, `--auth "maybe": want on or off`},
		{[]string{"--credentials", "../../testdata/policies/deny-put.json"}, "want ACCESS_KEY_ID SECRET_ACCESS_KEY IAM_ARN"},
		{[]string{"--endpoint-policy", "../../testdata/policies/no-principal-endpoint.json"}, "Principal"},
	} {
		var o, e bytes.Buffer
		if code := run(t.Context(), append([]string{"serve", "--home", home, "--https-addr", "127.0.0.1:0", "--dns-addr", "off"}, tc.args...), nil, &o, &e); code == 0 || !strings.Contains(e.String(), tc.want) {
			t.Errorf("serve %v: exit %d, stderr %q; want an error naming %q", tc.args, code, e.String(), tc.want)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader; seen,
// if set, is closed once the text contains marker.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	marker string
	seen   chan struct{}
	closed bool
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	if s.seen != nil && !s.closed && strings.Contains(s.b.String(), s.marker) {
		close(s.seen)
		s.closed = true
	}
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAWSCLIEndpointPolicyDenyThenAllow: a deny set on the running
// endpoint makes the real aws CLI fail with AWS's wording; resetting the
// policy makes it pass again, without a restart.
func TestAWSCLIEndpointPolicyDenyThenAllow(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	home := t.TempDir()
	startServe(t, home, "--bucket", "wsgbucket")
	file := filepath.Join(home, "hi.txt")
	writeRandom(t, file, 100)
	url := "https://bucket." + zonalName
	cp := func(key string) result {
		return runS3vpce(t, home, "exec", "--", "/usr/bin/aws", "--endpoint-url", url, "s3", "cp", file, "s3://wsgbucket/"+key, "--only-show-errors")
	}
	if r := cp("one"); r.code != 0 {
		t.Fatalf("cp with the default policy: exit %d: %s", r.code, r.stderr)
	}
	if r := runS3vpce(t, home, "endpoint-policy", "set", "../../testdata/policies/deny-put.json"); r.code != 0 {
		t.Fatalf("endpoint-policy set: exit %d: %s", r.code, r.stderr)
	}
	r := cp("two")
	want := `An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:iam::123456789012:user/s3vpce is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::wsgbucket/two" with an explicit deny in a VPC endpoint policy`
	if r.code == 0 || !strings.Contains(r.stderr, want) {
		t.Fatalf("cp under a deny policy: exit %d, stderr:\n%s\nwant it to contain:\n%s", r.code, r.stderr, want)
	}
	ex := runS3vpce(t, home, "explain", "--json")
	if ex.code != 0 || !strings.Contains(ex.stdout, `"Decision": "deny"`) || !strings.Contains(ex.stdout, `Sid \"DenyPut\"`) {
		t.Errorf("explain: exit %d\n%s%s", ex.code, ex.stdout, ex.stderr)
	}
	if g := runS3vpce(t, home, "endpoint-policy", "get"); !strings.Contains(g.stdout, `"DenyPut"`) {
		t.Errorf("endpoint-policy get: %s %s", g.stdout, g.stderr)
	}
	if bad := runS3vpce(t, home, "endpoint-policy", "set", "../../testdata/policies/no-principal-endpoint.json"); bad.code != 1 || !strings.Contains(bad.stderr, "Principal") {
		t.Errorf("setting an endpoint policy without Principal: exit %d, %s", bad.code, bad.stderr)
	}
	if r := runS3vpce(t, home, "endpoint-policy", "reset"); r.code != 0 {
		t.Fatalf("endpoint-policy reset: exit %d: %s", r.code, r.stderr)
	}
	if r := cp("three"); r.code != 0 {
		t.Fatalf("cp after reset: exit %d: %s", r.code, r.stderr)
	}
}

// TestExecUnprivilegedUserNamespace runs exec as an unprivileged user
// (nobody): the namespace then comes with a user namespace.
func TestExecUnprivilegedUserNamespace(t *testing.T) {
	t.Parallel()
	needNamespaces(t) // root, to become nobody
	if b, err := os.ReadFile("/proc/sys/user/max_user_namespaces"); err != nil || strings.TrimSpace(string(b)) == "0" {
		t.Skip("unprivileged user namespaces are disabled on this kernel")
	}
	cmd := nobodyCmd(t, "exec", "--", "nslookup", zonalName)
	dir := cmd.Dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("exec as nobody: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Name:\t"+zonalName+"\nAddress: 172.16.10.143") {
		t.Errorf("exec as nobody:\n%s", out)
	}
	if fi, err := os.Stat(filepath.Join(dir, "state", "rootCA-key.pem")); err != nil || fi.Sys().(*syscall.Stat_t).Uid != 65534 || fi.Mode().Perm() != 0o600 {
		t.Errorf("CA key written by nobody: %v", err)
	}
}

// serve --topology: a second endpoint from a file is served (banner, DNS,
// HTTPS through exec), and a broken file is refused naming the field.
func TestServeTopologyFile(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	home := t.TempDir()
	file := filepath.Join(home, "topology.json")
	os.WriteFile(file, []byte(`{
  "vpcs": [{"id": "vpc-0abc1234", "cidr": "10.20.0.0/16"}],
  "endpoints": [{
    "id": "vpce-0123456789abcdef0", "dns_suffix": "test1234", "region": "eu-west-1", "vpc": "vpc-0abc1234",
    "zones": [{"name": "eu-west-1a", "ip": "10.20.1.10"}, {"name": "eu-west-1b", "ip": "10.20.2.10"}],
    "policy": {"Statement": [{"Sid": "NoDeletes", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": "*"},
                             {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
  }]
}`), 0o644)
	startServe(t, home, "--topology", file)
	name := "vpce-0123456789abcdef0-test1234-eu-west-1b.s3.eu-west-1.vpce.amazonaws.com"
	r := runS3vpce(t, home, "exec", "--", "sh", "-c", "nslookup "+name+" && AWS_DEFAULT_REGION=eu-west-1 /usr/bin/aws --endpoint-url https://bucket."+name+" s3 mb s3://fromfile && AWS_DEFAULT_REGION=eu-west-1 /usr/bin/aws --endpoint-url https://bucket."+name+" s3 rb s3://fromfile")
	if !strings.Contains(r.stdout, "Address: 10.20.2.10") || !strings.Contains(r.stdout, "make_bucket: fromfile") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "explicit deny in a VPC endpoint policy") {
		t.Errorf("rb under the file's endpoint policy: exit %d\n%s", r.code, r.stderr)
	}
	bad := filepath.Join(home, "bad.json")
	os.WriteFile(bad, []byte(`{"vpcs": [], "endpoints": [{"id": "vpce-1", "zonez": []}]}`), 0o644)
	var o, e bytes.Buffer
	if code := run(t.Context(), []string{"serve", "--home", home, "--topology", bad, "--https-addr", "127.0.0.1:0", "--dns-addr", "off"}, nil, &o, &e); code == 0 || !strings.Contains(e.String(), `unknown field "zonez"`) || !strings.Contains(e.String(), "line 1") {
		t.Errorf("broken topology file: exit %d, %s", code, e.String())
	}
}
