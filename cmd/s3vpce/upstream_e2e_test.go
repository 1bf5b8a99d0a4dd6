package main

// The same real-client end-to-end scenarios with the embedded store and
// with an upstream (`serve --upstream`): the test process hosts the
// upstream (upstreamtest: plain HTTP on loopback, its own credentials,
// SigV4 verified), serve reads the upstream's credentials from its
// environment, the clients sign with s3vpce's.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/upstream/upstreamtest"
)

// The upstream's credentials in these tests: neither s3vpce's default
// ones nor upstreamtest's.
const (
	e2eUpstreamKey    = "AKIAUPSTREAME2E00001"
	e2eUpstreamSecret = "upstreamE2ESecretKeyNotTheClientsOne0001"
)

// upstreamMode is one way serve stores the objects.
type upstreamMode struct {
	name     string
	upstream bool
}

// modeEnv is a running serve in one mode, and its upstream if any.
type modeEnv struct {
	home  string
	serve *serveProcess
	up    *upstreamtest.Server // nil with the embedded store
}

// startMode starts serve (with DNS, for exec) in mode m; in upstream mode it
// first starts the upstream and gives serve its credentials through the
// environment only.
func startMode(t *testing.T, m upstreamMode) *modeEnv {
	t.Helper()
	e := &modeEnv{home: t.TempDir()}
	args := []string{"serve", "--https-addr", "127.0.0.1:0", "--dns-addr", "127.0.0.1:0"}
	var env []string
	if m.upstream {
		e.up = upstreamtest.New(t, upstreamtest.Options{AccessKeyID: e2eUpstreamKey, SecretAccessKey: e2eUpstreamSecret})
		args = append(args, "--upstream", e.up.URL(), "--upstream-region", "us-east-1")
		env = []string{"AWS_ACCESS_KEY_ID=" + e2eUpstreamKey, "AWS_SECRET_ACCESS_KEY=" + e2eUpstreamSecret}
	}
	cmd := s3vpceCmd(t, e.home, args...)
	cmd.Env = append(cmd.Env, env...)
	e.serve = startServeCmd(t, cmd)
	return e
}

// execScript runs an sh script inside s3vpce exec with extra environment;
// a failure fails the test with the script's output.
func (e *modeEnv) execScript(t *testing.T, script string, env ...string) string {
	t.Helper()
	cmd := s3vpceCmd(t, e.home, "exec", "--", "sh", "-c", "set -e\n"+script)
	cmd.Env = append(cmd.Env, env...)
	r := runCmd(t, cmd)
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// onUpstream checks, in upstream mode, that bucket/key is on the upstream
// with the contents of file (read back directly from the upstream's store),
// or, with file "", that it is not there.
func (e *modeEnv) onUpstream(t *testing.T, bucket, key, file string) {
	t.Helper()
	if e.up == nil {
		return
	}
	got, err := e.up.Object(bucket, key)
	if file == "" {
		if err == nil {
			t.Errorf("%s/%s is still on the upstream (%d bytes)", bucket, key, len(got))
		}
		return
	}
	want, rerr := os.ReadFile(file)
	if rerr != nil {
		t.Fatal(rerr)
	}
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s/%s on the upstream: %d bytes, %v; want the %d bytes of %s", bucket, key, len(got), err, len(want), file)
	}
}

// upstreamSawOnlyItsKey checks, in upstream mode, that the upstream saw
// requests, each signed with its own access key, and the client's key in
// no header of any.
func (e *modeEnv) upstreamSawOnlyItsKey(t *testing.T) {
	t.Helper()
	if e.up == nil {
		return
	}
	seen := e.up.Seen()
	if len(seen) == 0 {
		t.Fatal("the upstream saw no request")
	}
	for _, s := range seen {
		if s.AccessKeyID != e2eUpstreamKey {
			t.Errorf("%s %s reached the upstream signed with %q, want its own %s", s.Method, s.Path, s.AccessKeyID, e2eUpstreamKey)
		}
		for name, vs := range s.Header {
			for _, v := range vs {
				if strings.Contains(v, emulator.DefaultAccessKeyID) {
					t.Errorf("%s %s reached the upstream with the client's key in %s: %q", s.Method, s.Path, name, v)
				}
			}
		}
	}
}

// upstreamScenarios are the real-client round trips run in every mode; each
// uses its own bucket.
var upstreamScenarios = []struct {
	name string
	run  func(t *testing.T, e *modeEnv)
}{
	{"aws-cli-v2", scenarioAWSCLI},
	{"s3cmd", scenarioS3cmd},
	{"aws-sdk-go-v2", scenarioSDK},
}

// TestUpstreamE2E runs each scenario with the embedded store and through
// an upstream.
func TestUpstreamE2E(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	for _, m := range []upstreamMode{{"embedded", false}, {"upstream", true}} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			e := startMode(t, m)
			for _, sc := range upstreamScenarios {
				t.Run(sc.name, func(t *testing.T) {
					t.Parallel()
					sc.run(t, e)
					e.upstreamSawOnlyItsKey(t)
				})
			}
		})
	}
}

// scenarioAWSCLI: Debian's aws CLI v2 copies a 50 MB file up (multipart)
// and back byte for byte, syncs a small directory, lists, then removes
// everything with rm --recursive.
func scenarioAWSCLI(t *testing.T, e *modeEnv) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.bin")
	writeRandom(t, big, 50<<20)
	tree := filepath.Join(dir, "tree")
	files := map[string]int{"a.txt": 10, "sub/b.bin": 70000, "sub/deeper/c": 1}
	for name, n := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(tree, name)), 0o755)
		writeRandom(t, filepath.Join(tree, name), n)
	}
	env := []string{"URL=https://bucket." + regionalName, "BIG=" + big, "BACK=" + big + ".back", "TREE=" + tree}
	out := e.execScript(t, `A="/usr/bin/aws --endpoint-url $URL"
$A s3 mb s3://clibucket
$A s3 cp "$BIG" s3://clibucket/big.bin --only-show-errors
$A s3 cp s3://clibucket/big.bin "$BACK" --only-show-errors
$A s3 sync "$TREE" s3://clibucket/tree --only-show-errors
$A s3 ls s3://clibucket --recursive`, env...)
	sameFile(t, big, big+".back")
	for _, want := range []string{"52428800 big.bin", "10 tree/a.txt", "70000 tree/sub/b.bin", "1 tree/sub/deeper/c"} {
		if !strings.Contains(out, want) {
			t.Errorf("s3 ls lacks %q:\n%s", want, out)
		}
	}
	e.onUpstream(t, "clibucket", "big.bin", big)
	for name := range files {
		e.onUpstream(t, "clibucket", "tree/"+name, filepath.Join(tree, name))
	}
	out = e.execScript(t, `A="/usr/bin/aws --endpoint-url $URL"
$A s3 rm s3://clibucket --recursive
echo listing:
$A s3api list-objects-v2 --bucket clibucket --output json`, env...)
	deletes, listing, _ := strings.Cut(out, "listing:\n")
	if strings.Count(deletes, "delete: s3://clibucket/") != 4 || strings.Contains(listing, `"Key"`) {
		t.Errorf("s3 rm --recursive then list-objects-v2:\n%s", out)
	}
	e.onUpstream(t, "clibucket", "big.bin", "")
}

// scenarioS3cmd: s3cmd (virtual-hosted names) puts a small file and a
// 12 MiB one (multipart, three parts), lists and gets both back.
func scenarioS3cmd(t *testing.T, e *modeEnv) {
	if _, err := exec.LookPath("s3cmd"); err != nil {
		t.Fatalf("s3cmd is missing: run .ci/run or apt-get install s3cmd")
	}
	dir := t.TempDir()
	small, big := filepath.Join(dir, "small"), filepath.Join(dir, "big")
	writeRandom(t, small, 4321)
	writeRandom(t, big, 12<<20)
	out := e.execScript(t, `s3cmd -c "$CFG" mb s3://cmdbucket
s3cmd -c "$CFG" put "$SMALL" s3://cmdbucket/small
s3cmd -c "$CFG" put "$BIG" s3://cmdbucket/dir/big
s3cmd -c "$CFG" ls s3://cmdbucket
s3cmd -c "$CFG" get s3://cmdbucket/small "$SMALL.back"
s3cmd -c "$CFG" get s3://cmdbucket/dir/big "$BIG.back"`,
		"CFG="+writeS3cmdConfig(t, e.home), "SMALL="+small, "BIG="+big)
	if !strings.Contains(out, "DIR  s3://cmdbucket/dir/") || !strings.Contains(out, "4321  s3://cmdbucket/small") {
		t.Errorf("s3cmd ls:\n%s", out)
	}
	sameFile(t, small, small+".back")
	sameFile(t, big, big+".back")
	e.onUpstream(t, "cmdbucket", "small", small)
	e.onUpstream(t, "cmdbucket", "dir/big", big)
}

// scenarioSDK: aws-sdk-go-v2 with its default checksums (over HTTPS a
// streamed body goes aws-chunked with a trailing CRC32) puts an object and
// a two-part upload with CRC32 part checksums, and gets both back with
// checksum validation.
func scenarioSDK(t *testing.T, e *modeEnv) {
	ctx := t.Context()
	c := e.serve.client(t, e.home)
	b := aws.String("sdkbucket")
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	dir := t.TempDir()
	one := writeRandom(t, filepath.Join(dir, "one"), 1<<20+3)
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	must("CreateBucket", err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("one"), Body: bytes.NewReader(one)})
	must("PutObject", err)

	parts := [][]byte{writeRandom(t, filepath.Join(dir, "p1"), 5<<20), writeRandom(t, filepath.Join(dir, "p2"), 1<<20)}
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("multi"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	must("CreateMultipartUpload", err)
	var done []types.CompletedPart
	for i, p := range parts {
		n := int32(i + 1)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("multi"), UploadId: mp.UploadId, PartNumber: &n,
			Body: bytes.NewReader(p), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		must("UploadPart", err)
		if want := crc32Of(p); aws.ToString(out.ChecksumCRC32) != want {
			t.Errorf("part %d: ChecksumCRC32 %q, want %q", n, aws.ToString(out.ChecksumCRC32), want)
		}
		done = append(done, types.CompletedPart{PartNumber: &n, ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("multi"), UploadId: mp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	must("CompleteMultipartUpload", err)

	whole := append(append([]byte(nil), parts[0]...), parts[1]...)
	os.WriteFile(filepath.Join(dir, "multi"), whole, 0o644)
	for key, want := range map[string][]byte{"one": one, "multi": whole} {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		must("GetObject "+key, err)
		var got bytes.Buffer
		_, err = got.ReadFrom(out.Body) // the SDK validates the checksum as it reads
		out.Body.Close()
		must("GetObject "+key+" body", err)
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("GetObject %s: %d bytes, want the %d sent", key, got.Len(), len(want))
		}
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b})
	must("ListObjectsV2", err)
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, fmt.Sprintf("%s %d", aws.ToString(o.Key), aws.ToInt64(o.Size)))
	}
	if got, want := strings.Join(keys, ","), fmt.Sprintf("multi %d,one %d", len(whole), len(one)); got != want {
		t.Errorf("ListObjectsV2: %s, want %s", got, want)
	}
	e.onUpstream(t, "sdkbucket", "one", filepath.Join(dir, "one"))
	e.onUpstream(t, "sdkbucket", "multi", filepath.Join(dir, "multi"))
}

// crc32Of is b's CRC32 as S3 writes it: base64 of the big-endian sum.
func crc32Of(b []byte) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(b)))
}

// TestUpstreamDown: with the upstream's port closed, the aws CLI and the
// SDK get S3's 503 ServiceUnavailable, serve keeps answering and stops
// cleanly. The deadlines only guard against a hang; nothing is timed.
func TestUpstreamDown(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	home := t.TempDir()
	cmd := s3vpceCmd(t, home, "serve", "--https-addr", "127.0.0.1:0", "--dns-addr", "127.0.0.1:0", "--upstream", upstreamtest.DownURL(t))
	cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID="+e2eUpstreamKey, "AWS_SECRET_ACCESS_KEY="+e2eUpstreamSecret)
	p := startServeCmd(t, cmd)

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	base := s3vpceCmd(t, home, "exec", "--", "/usr/bin/aws", "--endpoint-url", "https://bucket."+regionalName, "s3", "ls", "s3://downbucket")
	cli := exec.CommandContext(ctx, base.Path, base.Args[1:]...) // the hang guard's deadline
	cli.Env = append(base.Env, "AWS_MAX_ATTEMPTS=1")
	r := runCmd(t, cli)
	if ctx.Err() != nil {
		t.Fatalf("aws s3 ls against a down upstream did not return: %v", ctx.Err())
	}
	if r.code == 0 || !strings.Contains(r.stderr, "(ServiceUnavailable)") {
		t.Errorf("aws s3 ls with the upstream down: exit %d, stderr:\n%s\nwant ServiceUnavailable", r.code, r.stderr)
	}

	c := p.client(t, home)
	for _, op := range []struct {
		name string
		call func() error
	}{
		{"ListObjectsV2", func() error {
			_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("downbucket")}, noRetry)
			return err
		}},
		{"PutObject", func() error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("downbucket"), Key: aws.String("k"), Body: strings.NewReader("body")}, noRetry)
			return err
		}},
	} {
		err := op.call()
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != 503 || codeOf(err) != "ServiceUnavailable" {
			t.Errorf("%s with the upstream down: %v; want HTTP 503 ServiceUnavailable", op.name, err)
		}
	}
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-ctx.Done():
		t.Fatalf("serve did not stop after SIGINT: %v", ctx.Err())
	}
}

func noRetry(o *s3.Options) { o.RetryMaxAttempts = 1 }
