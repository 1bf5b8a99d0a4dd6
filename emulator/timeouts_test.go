package emulator_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/s3vpce/s3vpce/emulator"
)

// closeWait is how long a test waits for the server to close a connection
// before it fails: far longer than any timeout the tests configure.
const closeWait = 30 * time.Second

// logTap is a slog.Handler that hands Info and louder records to a test.
type logTap struct{ ch chan slog.Record }

func newLogTap() *logTap { return &logTap{ch: make(chan slog.Record, 256)} }

func (l *logTap) Enabled(_ context.Context, level slog.Level) bool { return level >= slog.LevelInfo }
func (l *logTap) WithAttrs([]slog.Attr) slog.Handler               { return l }
func (l *logTap) WithGroup(string) slog.Handler                    { return l }
func (l *logTap) Handle(_ context.Context, r slog.Record) error {
	select {
	case l.ch <- r.Clone():
	default:
	}
	return nil
}

// wait returns the attributes of the first record whose message starts
// with prefix, failing t if none comes within closeWait.
func (l *logTap) wait(t *testing.T, prefix string) map[string]string {
	t.Helper()
	timer := time.NewTimer(closeWait)
	defer timer.Stop()
	for {
		select {
		case r := <-l.ch:
			if !strings.HasPrefix(r.Message, prefix) {
				continue
			}
			attrs := map[string]string{}
			r.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.String(); return true })
			return attrs
		case <-timer.C:
			t.Fatalf("no log record %q within %v", prefix, closeWait)
		}
	}
}

// endpointHost is the name the tests use for SNI and Host.
func endpointHost(t *testing.T, srv *emulator.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	return u.Hostname()
}

// dialTLS opens a TLS connection to addr from local ("" for any source)
// and completes the handshake.
func dialTLS(ctx context.Context, srv *emulator.Server, host, addr, local string, control func(string, string, syscall.RawConn) error) (*tls.Conn, error) {
	nd := &net.Dialer{Timeout: closeWait, Control: control}
	if local != "" {
		nd.LocalAddr = &net.TCPAddr{IP: net.ParseIP(local)}
	}
	d := &tls.Dialer{NetDialer: nd, Config: &tls.Config{RootCAs: srv.CACertPool(), ServerName: host, MinVersion: tls.VersionTLS12}}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return c.(*tls.Conn), nil
}

func mustDialTLS(t *testing.T, srv *emulator.Server) *tls.Conn {
	t.Helper()
	c, err := dialTLS(t.Context(), srv, endpointHost(t, srv), srv.Addr(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitClosed reads r (from conn) until the server closes the connection
// (EOF or reset) and returns how many bytes came; it fails t if the
// connection is still open after closeWait.
func waitClosed(t *testing.T, conn net.Conn, r io.Reader) int64 {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(closeWait))
	n, err := io.Copy(io.Discard, r)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server kept the connection open for %v", closeWait)
	}
	return n
}

// errCode is the S3 error code of an SDK error ("" for nil).
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// TestSlowlorisClosed: a client that trickles header lines and never ends
// its headers is disconnected without an answer.
func TestSlowlorisClosed(t *testing.T) {
	srv := startServer(t, emulator.Options{ReadHeaderTimeout: 300 * time.Millisecond, IdleTimeout: time.Hour, RequestTimeout: time.Hour})
	c := mustDialTLS(t, srv)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(50 * time.Millisecond) // pacing the trickle, not synchronisation
		defer tick.Stop()
		if _, err := fmt.Fprintf(c, "GET /slow/key HTTP/1.1\r\nHost: %s\r\n", endpointHost(t, srv)); err != nil {
			return
		}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if _, err := fmt.Fprintf(c, "X-Slow-%d: v\r\n", i); err != nil {
				return
			}
		}
	})
	n := waitClosed(t, c, c)
	close(stop)
	wg.Wait()
	if n != 0 {
		t.Errorf("the server answered %d bytes to headers that never ended, want a plain close", n)
	}
}

// TestTLSHandshakeTimeout: a connection that never completes the TLS
// handshake is closed.
func TestTLSHandshakeTimeout(t *testing.T) {
	srv := startServer(t, emulator.Options{ReadHeaderTimeout: 300 * time.Millisecond, IdleTimeout: time.Hour, RequestTimeout: time.Hour})
	tests := []struct {
		name string
		send []byte
	}{
		{"silent after connect", nil},
		{"partial ClientHello record", []byte{0x16, 0x03, 0x01, 0x02}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d net.Dialer
			c, err := d.DialContext(t.Context(), "tcp", srv.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write(tt.send); err != nil {
				t.Fatal(err)
			}
			waitClosed(t, c, c)
		})
	}
}

// TestIdleConnectionClosed: a keep-alive connection that sends no next
// request is closed after the idle timeout.
func TestIdleConnectionClosed(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"idle"}, IdleTimeout: 300 * time.Millisecond, ReadHeaderTimeout: time.Hour, RequestTimeout: time.Hour})
	c := mustDialTLS(t, srv)
	req := signedReq(t, "GET", srv.URL()+"/idle/missing", nil, "", testCreds, "us-east-1", "s3", time.Now().UTC())
	if err := req.Write(c); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || resp.Close {
		t.Fatalf("GET of a missing key: status %d, close %v; want 404 on a kept-alive connection", resp.StatusCode, resp.Close)
	}
	if n := waitClosed(t, c, br); n != 0 {
		t.Errorf("%d unexpected bytes on an idle connection", n)
	}
}

// TestContentLengthLie: a body shorter than its Content-Length, on a
// connection left open, ends in 400 RequestTimeout from every consumer of
// a request body, the connection is closed, and nothing is stored.
func TestContentLengthLie(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"lie"}, RequestTimeout: 500 * time.Millisecond})
	client := sdkClient(srv, srv.URL(), true)
	ctx := t.Context()
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lie"), Key: aws.String("keep"), Body: strings.NewReader("kept")}); err != nil {
		t.Fatal(err)
	}
	mp, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("lie"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	base := srv.URL() + "/lie/"
	now := time.Now().UTC()
	body := bytes.Repeat([]byte("0123456789abcdef"), 64)
	wrong := aws.Credentials{AccessKeyID: emulator.DefaultAccessKeyID, SecretAccessKey: "wrong-secret-wrong-secret-wrong-secret-00"}
	deleteDoc := []byte(`<Delete><Object><Key>keep</Key></Object></Delete>`)
	policyDoc := []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::lie/*"}]}`)
	taggingDoc := []byte(`<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`)
	notFound := func(key string) func(t *testing.T) {
		return func(t *testing.T) {
			_, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lie"), Key: aws.String(key)})
			if code := errCode(err); code != "NotFound" {
				t.Errorf("HeadObject %s after the cut-short PUT: %q, want NotFound (nothing stored)", key, code)
			}
		}
	}
	tests := []struct {
		name   string
		req    func(t *testing.T) *http.Request
		status int
		code   string
		check  func(t *testing.T)
	}{
		{"PutObject, signed payload (spooled)", func(t *testing.T) *http.Request {
			return signedReq(t, "PUT", base+"k1", body, "", testCreds, "us-east-1", "s3", now)
		}, 400, "RequestTimeout", notFound("k1")},
		{"PutObject, UNSIGNED-PAYLOAD (streamed)", func(t *testing.T) *http.Request {
			return signedReq(t, "PUT", base+"k2", body, "UNSIGNED-PAYLOAD", testCreds, "us-east-1", "s3", now)
		}, 400, "RequestTimeout", notFound("k2")},
		{"PutObject, aws-chunked signed chunks", func(t *testing.T) *http.Request {
			return signedChunkedPut(t, base+"k3", [][]byte{body}, nil)
		}, 400, "RequestTimeout", notFound("k3")},
		{"UploadPart", func(t *testing.T) *http.Request {
			return signedReq(t, "PUT", base+"mp?partNumber=1&uploadId="+url.QueryEscape(*mp.UploadId), body, "UNSIGNED-PAYLOAD", testCreds, "us-east-1", "s3", now)
		}, 400, "RequestTimeout", func(t *testing.T) {
			out, err := client.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("lie"), Key: aws.String("mp"), UploadId: mp.UploadId})
			if err != nil || len(out.Parts) != 0 {
				t.Errorf("ListParts after the cut-short UploadPart: %v, %d parts; want none", err, len(out.Parts))
			}
		}},
		{"PutBucketPolicy", func(t *testing.T) *http.Request {
			return signedReq(t, "PUT", base+"?policy", policyDoc, "UNSIGNED-PAYLOAD", testCreds, "us-east-1", "s3", now)
		}, 400, "RequestTimeout", func(t *testing.T) {
			_, err := client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("lie")})
			if code := errCode(err); code != "NoSuchBucketPolicy" {
				t.Errorf("GetBucketPolicy after the cut-short PutBucketPolicy: %q, want NoSuchBucketPolicy", code)
			}
		}},
		{"PutBucketTagging", func(t *testing.T) *http.Request {
			return signedReq(t, "PUT", base+"?tagging", taggingDoc, "UNSIGNED-PAYLOAD", testCreds, "us-east-1", "s3", now)
		}, 400, "RequestTimeout", func(t *testing.T) {
			_, err := client.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("lie")})
			if code := errCode(err); code != "NoSuchTagSet" {
				t.Errorf("GetBucketTagging after the cut-short PutBucketTagging: %q, want NoSuchTagSet", code)
			}
		}},
		{"DeleteObjects", func(t *testing.T) *http.Request {
			req := signedReq(t, "POST", base+"?delete", deleteDoc, "UNSIGNED-PAYLOAD", testCreds, "us-east-1", "s3", now)
			sum := md5.Sum(deleteDoc)
			req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
			return req
		}, 400, "RequestTimeout", func(t *testing.T) {
			if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lie"), Key: aws.String("keep")}); err != nil {
				t.Errorf("HeadObject keep after the cut-short DeleteObjects: %v, want it still there", err)
			}
		}},
		{"refused before the body (bad signature)", func(t *testing.T) *http.Request {
			return signedReq(t, "PUT", base+"k4", body, "", wrong, "us-east-1", "s3", now)
		}, 403, "SignatureDoesNotMatch", notFound("k4")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req(t)
			var raw bytes.Buffer
			if err := req.Write(&raw); err != nil {
				t.Fatal(err)
			}
			c := mustDialTLS(t, srv)
			// All but the last 10 bytes of the body; the connection stays open.
			if _, err := c.Write(raw.Bytes()[:raw.Len()-10]); err != nil {
				t.Fatal(err)
			}
			c.SetReadDeadline(time.Now().Add(closeWait))
			br := bufio.NewReader(c)
			resp, err := http.ReadResponse(br, req)
			if err != nil {
				t.Fatalf("no response to a body cut short: %v", err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			var e xmlError
			if err := xml.Unmarshal(b, &e); err != nil {
				t.Fatalf("status %d, body is not S3 XML: %s", resp.StatusCode, b)
			}
			if resp.StatusCode != tt.status || e.Code != tt.code {
				t.Fatalf("got %d %s (%s), want %d %s", resp.StatusCode, e.Code, e.Message, tt.status, tt.code)
			}
			if e.RequestId == "" || e.RequestId != resp.Header.Get("x-amz-request-id") {
				t.Errorf("RequestId %q, x-amz-request-id %q: want the same, non-empty", e.RequestId, resp.Header.Get("x-amz-request-id"))
			}
			if tt.code == "RequestTimeout" && e.Message != "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed." {
				t.Errorf("message %q, want S3's", e.Message)
			}
			waitClosed(t, c, br)
			tt.check(t)
		})
	}
}

// pacedReader hands out its data one piece per tick.
type pacedReader struct {
	data  []byte
	piece int
	tick  <-chan time.Time
}

func (p *pacedReader) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		return 0, io.EOF
	}
	<-p.tick
	n := copy(b[:min(len(b), p.piece)], p.data)
	p.data = p.data[n:]
	return n, nil
}

// TestSlowUploadSucceeds: a body that takes longer than the request
// timeout in total, but never pauses that long, is stored whole.
func TestSlowUploadSucceeds(t *testing.T) {
	const timeout, gap, pieces = time.Second, 150 * time.Millisecond, 12 // 12 gaps of 150 ms: 1.8 s in all
	srv := startServer(t, emulator.Options{Buckets: []string{"slow"}, RequestTimeout: timeout})
	client := sdkClient(srv, srv.URL(), true)
	tests := []struct{ name, key, payload string }{
		{"signed payload (spooled, then stored)", "signed", ""},
		{"UNSIGNED-PAYLOAD (streamed to the store)", "unsigned", "UNSIGNED-PAYLOAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := randomBytes(t, pieces*4096)
			req := signedReq(t, "PUT", srv.URL()+"/slow/"+tt.key, body, tt.payload, testCreds, "us-east-1", "s3", time.Now().UTC())
			tick := time.NewTicker(gap) // pacing the upload, not synchronisation
			defer tick.Stop()
			req.Body = io.NopCloser(&pacedReader{data: body, piece: 4096, tick: tick.C})
			req.GetBody = nil
			resp, err := srv.Client().Do(req.WithContext(t.Context()))
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("slow PUT: %d %s", resp.StatusCode, msg)
			}
			out, err := client.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("slow"), Key: aws.String(tt.key)})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(out.Body)
			out.Body.Close()
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("GET after the slow PUT: %d bytes (%v), want the %d bytes sent", len(got), err, len(body))
			}
		})
	}
}

// TestStalledReaderDisconnected: a client that stops reading a large GET
// is disconnected once the response makes no progress for the request
// timeout, and the server's handler returns.
func TestStalledReaderDisconnected(t *testing.T) {
	tap := newLogTap()
	srv := startServer(t, emulator.Options{Buckets: []string{"big"}, RequestTimeout: 500 * time.Millisecond, Logger: slog.New(tap)})
	const size = 8 << 20 // twice the kernel's largest send buffer (tcp_wmem) and then some
	body := randomBytes(t, size)
	if _, err := sdkClient(srv, srv.URL(), true).PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("big"), Key: aws.String("obj"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	smallWindow := func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return errors.Join(err, serr)
	}
	c, err := dialTLS(t.Context(), srv, endpointHost(t, srv), srv.Addr(), "", smallWindow)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := signedReq(t, "GET", srv.URL()+"/big/obj", nil, "", testCreds, "us-east-1", "s3", time.Now().UTC())
	if err := req.Write(c); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(closeWait))
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET: status %d", resp.StatusCode)
	}
	first := make([]byte, 1024)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}
	// Stop reading. The handler must give up and return on its own.
	attrs := tap.wait(t, "response timeout")
	if want := resp.Header.Get("x-amz-request-id"); attrs["request_id"] != want {
		t.Errorf("response timeout logged for request %q, want %q", attrs["request_id"], want)
	}
	rest := waitClosed(t, c, resp.Body)
	if got := int64(len(first)) + rest; got >= size {
		t.Errorf("the client received all %d bytes: it was never stalled", got)
	}
}

// TestMaxConnsPerSource: over the cap, one source's next connection is
// closed at once (and logged), while another source still gets through;
// on Start's listener and on one given to ServeListener alike.
func TestMaxConnsPerSource(t *testing.T) {
	tests := []struct {
		name   string
		listen func(t *testing.T, srv *emulator.Server) string
	}{
		{"Start's listener", func(t *testing.T, srv *emulator.Server) string { return srv.Addr() }},
		{"ServeListener", func(t *testing.T, srv *emulator.Server) string {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.ServeListener(ln); err != nil {
				t.Fatal(err)
			}
			return ln.Addr().String()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tap := newLogTap()
			srv := startServer(t, emulator.Options{Buckets: []string{"capped"}, MaxConnsPerSource: 2, Logger: slog.New(tap)})
			addr := tt.listen(t, srv)
			host := endpointHost(t, srv)
			for i := range 2 {
				c, err := dialTLS(t.Context(), srv, host, addr, "127.0.0.1", nil)
				if err != nil {
					t.Fatalf("connection %d of 2 from 127.0.0.1: %v", i+1, err)
				}
				defer c.Close()
			}
			if c, err := dialTLS(t.Context(), srv, host, addr, "127.0.0.1", nil); err == nil {
				c.Close()
				t.Fatal("a third connection from 127.0.0.1 completed its handshake; want it refused")
			}
			attrs := tap.wait(t, "refusing connection")
			if attrs["source"] != "127.0.0.1" || attrs["max_conns_per_source"] != "2" {
				t.Errorf("refusal logged with source %q, cap %q; want 127.0.0.1, 2", attrs["source"], attrs["max_conns_per_source"])
			}
			other, err := dialTLS(t.Context(), srv, host, addr, "127.0.0.2", nil)
			if err != nil {
				t.Fatalf("127.0.0.2 was refused too: %v", err)
			}
			defer other.Close()
			req := signedReq(t, "GET", srv.URL()+"/capped/missing", nil, "", testCreds, "us-east-1", "s3", time.Now().UTC())
			if err := req.Write(other); err != nil {
				t.Fatal(err)
			}
			other.SetReadDeadline(time.Now().Add(closeWait))
			resp, err := http.ReadResponse(bufio.NewReader(other), req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET from 127.0.0.2: status %d, want 404 (served)", resp.StatusCode)
			}
		})
	}
}
