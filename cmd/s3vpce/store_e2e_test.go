package main

// End-to-end tests of the dir store through the real program: restarts,
// kill -9 during uploads, a full disk, a corrupt metadata file, and a
// 1 GiB object through the aws CLI.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/s3vpce/s3vpce/emulator"
)

// serveProcess is a running `s3vpce serve` child process.
type serveProcess struct {
	cmd    *exec.Cmd
	addr   string // HTTPS
	stderr *syncBuffer
	done   chan struct{}
}

// startServeProcess starts serve on ephemeral loopback ports and returns
// once its banner is complete; t.Cleanup stops it if still running.
func startServeProcess(t *testing.T, home string, extra ...string) *serveProcess {
	t.Helper()
	return startServeCmd(t, s3vpceCmd(t, home, append([]string{"serve", "--https-addr", "127.0.0.1:0", "--dns-addr", "off"}, extra...)...))
}

// startServeCmd starts cmd, an `s3vpce serve` made by s3vpceCmd (its
// environment possibly extended), and returns once its banner is complete.
func startServeCmd(t *testing.T, cmd *exec.Cmd) *serveProcess {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.stop() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "HTTPS"); ok {
			p.addr = strings.TrimSpace(rest)
		}
		if strings.HasPrefix(line, "From this shell instead") {
			go io.Copy(io.Discard, stdout)
			return p
		}
	}
	<-p.done
	t.Fatalf("serve exited before its banner; stderr:\n%s", p.stderr.String())
	return nil
}

// stop interrupts serve and waits for it.
func (p *serveProcess) stop() {
	p.cmd.Process.Signal(os.Interrupt)
	<-p.done
}

// kill sends SIGKILL and waits.
func (p *serveProcess) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// client is aws-sdk-go-v2 (default settings: virtual-hosted names, default
// checksums) for the serve, trusting home's CA and dialling its address
// for the endpoint's names.
func (p *serveProcess) client(t *testing.T, home string) *s3.Client {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(home, "rootCA.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	addr := p.addr
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, MaxIdleConnsPerHost: 128,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}}
	t.Cleanup(tr.CloseIdleConnections)
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("https://bucket." + regionalName),
		Credentials:  credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, ""),
		HTTPClient:   &http.Client{Transport: tr},
	})
}

func codeOf(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprint(err)
}

// TestServeDirStoreSurvivesRestart: buckets, versions, metadata, tags,
// configurations, policies and an in-progress multipart upload are all
// there after serve stops and starts again on the same home.
func TestServeDirStoreSurvivesRestart(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	ctx := t.Context()
	p := startServeProcess(t, home)
	c := p.client(t, home)
	b := aws.String("keep")
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	must("CreateBucket", err)
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	must("PutBucketVersioning", err)
	v1, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("first"), ContentType: aws.String("text/plain"), Metadata: map[string]string{"color": "blue"}})
	must("PutObject v1", err)
	v2, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("second"), Tagging: aws.String("team=red")})
	must("PutObject v2", err)
	_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("env"), Value: aws.String("test")}}}})
	must("PutBucketTagging", err)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::keep"}]}`
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(policy)})
	must("PutBucketPolicy", err)
	_, err = c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"https://example.com"}}}}})
	must("PutBucketCors", err)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("mp")})
	must("CreateMultipartUpload", err)
	part := bytes.Repeat([]byte("p"), 5<<20)
	p1, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(part)})
	must("UploadPart", err)

	p.stop()
	p = startServeProcess(t, home)
	c = p.client(t, home)

	vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b})
	must("ListObjectVersions", err)
	if len(vs.Versions) != 2 || *vs.Versions[0].VersionId != *v2.VersionId || *vs.Versions[1].VersionId != *v1.VersionId || !*vs.Versions[0].IsLatest {
		t.Errorf("versions after restart: %+v; want %s (latest) then %s", vs.Versions, *v2.VersionId, *v1.VersionId)
	}
	old, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("k"), VersionId: v1.VersionId})
	must("GetObject v1", err)
	body, _ := io.ReadAll(old.Body)
	if string(body) != "first" || aws.ToString(old.ContentType) != "text/plain" || old.Metadata["color"] != "blue" {
		t.Errorf("v1 after restart: %q %q %v", body, aws.ToString(old.ContentType), old.Metadata)
	}
	tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("k")})
	must("GetObjectTagging", err)
	if len(tags.TagSet) != 1 || *tags.TagSet[0].Key != "team" {
		t.Errorf("object tags after restart: %+v", tags.TagSet)
	}
	bt, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	must("GetBucketTagging", err)
	if len(bt.TagSet) != 1 || *bt.TagSet[0].Value != "test" {
		t.Errorf("bucket tags after restart: %+v", bt.TagSet)
	}
	gp, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
	must("GetBucketPolicy", err)
	if aws.ToString(gp.Policy) != policy {
		t.Errorf("policy after restart: %s", aws.ToString(gp.Policy))
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b}); codeOf(err) != "AccessDenied" {
		t.Errorf("DeleteBucket after restart: %v; want the restored policy's AccessDenied", err)
	}
	cors, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b})
	must("GetBucketCors", err)
	if len(cors.CORSRules) != 1 || cors.CORSRules[0].AllowedOrigins[0] != "https://example.com" {
		t.Errorf("CORS after restart: %+v", cors.CORSRules)
	}
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b})
	must("ListMultipartUploads", err)
	if len(ups.Uploads) != 1 || *ups.Uploads[0].UploadId != *up.UploadId {
		t.Fatalf("uploads after restart: %+v", ups.Uploads)
	}
	parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String("mp"), UploadId: up.UploadId})
	must("ListParts", err)
	if len(parts.Parts) != 1 || *parts.Parts[0].ETag != *p1.ETag {
		t.Fatalf("parts after restart: %+v", parts.Parts)
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p1.ETag}}}})
	must("CompleteMultipartUpload after restart", err)
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("mp")})
	must("GetObject mp", err)
	body, _ = io.ReadAll(got.Body)
	if !bytes.Equal(body, part) {
		t.Errorf("completed object: %d bytes, want the %d-byte part", len(body), len(part))
	}
}

// TestServeSIGKILLDuringUploads: serve is killed with SIGKILL while 100
// clients upload (aws-sdk-go-v2, default checksums); after a restart every
// acknowledged object is intact and no object is partial.
func TestServeSIGKILLDuringUploads(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	ctx := t.Context()
	p := startServeProcess(t, home, "--bucket", "crash")
	c := p.client(t, home)
	const clients = 100
	type sent struct {
		sum   [32]byte
		acked bool
	}
	var mu sync.Mutex
	objects := map[string]*sent{}
	acked := make(chan struct{}, clients*100)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := rand.NewChaCha8([32]byte{byte(i), 7})
			rng := rand.New(src)
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("c%03d/o%04d", i, n)
				data := make([]byte, 1+rng.IntN(1<<20))
				src.Read(data) // at once, not a byte at a time (which -race instruments)
				s := &sent{sum: sha256.Sum256(data)}
				mu.Lock()
				objects[key] = s
				mu.Unlock()
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("crash"), Key: aws.String(key), Body: bytes.NewReader(data)},
					func(o *s3.Options) { o.RetryMaxAttempts = 1 })
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				s.acked = true
				mu.Unlock()
				acked <- struct{}{}
			}
		}()
	}
	for range 300 {
		<-acked
	}
	p.kill()
	close(stop)
	wg.Wait()

	p = startServeProcess(t, home)
	c = p.client(t, home)
	nAcked, nUnacked, nUnackedStored := 0, 0, 0
	for key, s := range objects {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("crash"), Key: aws.String(key)})
		if err != nil {
			if s.acked {
				t.Errorf("acknowledged %s lost after kill -9: %v", key, err)
			} else if codeOf(err) != "NoSuchKey" {
				t.Errorf("unacknowledged %s: %v; want NoSuchKey or the whole object", key, err)
			}
			if s.acked {
				nAcked++
			} else {
				nUnacked++
			}
			continue
		}
		h := sha256.New()
		io.Copy(h, out.Body)
		out.Body.Close()
		if [32]byte(h.Sum(nil)) != s.sum {
			t.Errorf("%s (acknowledged %v) is stored but differs from what was sent: a partial or corrupt object", key, s.acked)
		}
		if s.acked {
			nAcked++
		} else {
			nUnacked++
			nUnackedStored++
		}
	}
	t.Logf("%d acknowledged objects intact; %d in flight at the kill, %d of them stored whole", nAcked, nUnacked, nUnackedStored)
	if nAcked < 300 {
		t.Errorf("only %d acknowledged uploads", nAcked)
	}
	if left, _ := filepath.Glob(filepath.Join(home, "data", "tmp", "*")); len(left) != 0 {
		t.Errorf("temporary files left after restart: %v", left)
	}
}

// TestServeCorruptMetadata: a damaged metadata file stops serve at start
// with an error naming the file, never a panic.
func TestServeCorruptMetadata(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	p := startServeProcess(t, home, "--bucket", "b")
	p.stop()
	db := filepath.Join(home, "data", "meta.db")
	if err := os.WriteFile(db, bytes.Repeat([]byte("garbage!"), 4096), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runS3vpce(t, home, "serve", "--https-addr", "127.0.0.1:0", "--dns-addr", "off")
	if r.code != 1 || !strings.Contains(r.stderr, db) || !strings.Contains(r.stderr, "corrupt") || strings.Contains(r.stderr, "panic") {
		t.Errorf("serve on a corrupt store: exit %d, stderr:\n%s\nwant exit 1 and an error naming %s", r.code, r.stderr, db)
	}
}

// TestServeDiskFull: on a full disk an upload fails with S3's error and
// the objects stored before stay readable byte for byte.
func TestServeDiskFull(t *testing.T) {
	t.Parallel()
	needNamespaces(t) // root, to mount a small tmpfs
	home := t.TempDir()
	data := filepath.Join(t.TempDir(), "small")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", data).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", data).Run() })
	p := startServeProcess(t, home, "--data", data, "--bucket", "full")
	c := p.client(t, home)
	ctx := t.Context()
	small := bytes.Repeat([]byte("s"), 100<<10)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("full"), Key: aws.String("small"), Body: bytes.NewReader(small)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("full"), Key: aws.String("big"), Body: bytes.NewReader(make([]byte, 8<<20))},
		func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	if codeOf(err) != "InternalError" {
		t.Errorf("upload larger than the disk: %v; want S3's InternalError", err)
	}
	if !strings.Contains(p.stderr.String(), "no space left") {
		t.Errorf("serve did not log the full disk:\n%s", p.stderr.String())
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("full"), Key: aws.String("small")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	if !bytes.Equal(got, small) {
		t.Errorf("earlier object after the full disk: %d bytes, want %d", len(got), len(small))
	}
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("full"), Key: aws.String("big")}); codeOf(err) != "NoSuchKey" {
		t.Errorf("the failed upload is visible: %v", err)
	}
	// The failed upload's space is back: a small upload works again.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("full"), Key: aws.String("again"), Body: bytes.NewReader(small)}); err != nil {
		t.Errorf("upload after the failure: %v", err)
	}
}

// TestExecAWSCLIGiB: a 1 GiB object up and down with Debian's aws CLI v2
// through s3vpce exec and the dir store, compared byte for byte.
func TestExecAWSCLIGiB(t *testing.T) {
	t.Parallel()
	needNamespaces(t)
	if testing.Short() {
		t.Skip("1 GiB through the aws CLI: skipped in -short mode")
	}
	home := t.TempDir()
	startServe(t, home, "--bucket", "gib")
	src := filepath.Join(home, "gib.bin")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	// ChaCha8's Read fills the buffer in one call, not a byte at a time
	// (which -race instruments: tens of seconds for 1 GiB).
	rng := rand.NewChaCha8([32]byte{1, 2})
	buf := make([]byte, 1<<20)
	want := sha256.New()
	for range 1024 {
		rng.Read(buf)
		f.Write(buf)
		want.Write(buf)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	back := filepath.Join(home, "gib.back")
	url := "https://bucket." + regionalName
	start := time.Now()
	r := runS3vpce(t, home, "exec", "--", "sh", "-c",
		"set -e; /usr/bin/aws --endpoint-url "+url+" s3 cp --only-show-errors "+src+" s3://gib/big && /usr/bin/aws --endpoint-url "+url+" s3 cp --only-show-errors s3://gib/big "+back)
	if r.code != 0 {
		t.Fatalf("aws s3 cp 1 GiB: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("1 GiB up and down through exec in %v", time.Since(start).Round(time.Millisecond))
	os.Remove(src)
	g, err := os.Open(back)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	got := sha256.New()
	n, _ := io.Copy(got, g)
	if n != 1<<30 || !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Errorf("downloaded %d bytes, sha256 %x; want 1 GiB with sha256 %x", n, got.Sum(nil), want.Sum(nil))
	}
}

// TestServeSecondOnSameData: a second serve (another home) on a dir store
// in use refuses to start and says who holds it and what to do.
func TestServeSecondOnSameData(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "shared")
	p := startServeProcess(t, t.TempDir(), "--data", data)
	r := runS3vpce(t, t.TempDir(), "serve", "--https-addr", "127.0.0.1:0", "--dns-addr", "off", "--data", data)
	pid := fmt.Sprint(p.cmd.Process.Pid)
	if r.code != 1 || !strings.Contains(r.stderr, data) || !strings.Contains(r.stderr, pid) || !strings.Contains(r.stderr, "--store memory") {
		t.Errorf("second serve on %s: exit %d, stderr:\n%s\nwant exit 1 naming the directory, pid %s and the way out", data, r.code, r.stderr, pid)
	}
}
