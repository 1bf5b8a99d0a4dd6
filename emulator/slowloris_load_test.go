package emulator_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3vpce/s3vpce/emulator"
)

// TestSlowlorisLoad measures what 1,000 slowloris connections cost a normal
// client: aws-sdk-go-v2 doing signed 1 KiB PutObject/GetObject from
// 127.0.0.2, against the idle server and while the slowloris
// connections (spread over 127.0.0.10 and up, under the per-source cap)
// trickle header lines and reconnect whenever the server closes them. The
// server runs with its default timeouts. It is a measurement, not a CI
// test:
//
//	S3VPCE_SLOWLORIS=1 go test -run TestSlowlorisLoad -v ./emulator
//
// S3VPCE_SLOWLORIS_CONNS (1000) and S3VPCE_SLOWLORIS_DURATION (30s, per
// phase) change the load.
func TestSlowlorisLoad(t *testing.T) {
	if os.Getenv("S3VPCE_SLOWLORIS") == "" {
		t.Skip("a load measurement: set S3VPCE_SLOWLORIS=1 to run it")
	}
	conns := 1000
	if v := os.Getenv("S3VPCE_SLOWLORIS_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("S3VPCE_SLOWLORIS_CONNS=%q: want a positive number", v)
		}
		conns = n
	}
	phase := 30 * time.Second // past the 20 s header timeout: the server closes every slowloris connection once, and they all reconnect
	if v := os.Getenv("S3VPCE_SLOWLORIS_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("S3VPCE_SLOWLORIS_DURATION=%q: want a positive duration", v)
		}
		phase = d
	}
	// Both ends live in this process: two descriptors per connection.
	raiseNoFile(t, uint64(2*conns+1024))

	srv := startServer(t, emulator.Options{Buckets: []string{"load"}})
	client := boundSDKClient(t, srv, "127.0.0.2")
	if _, err := runClient(t, client, 50, 0); err != nil { // warm up: connections, TLS sessions, code paths
		t.Fatal(err)
	}

	// The idle baseline is taken half before and half after the attack, so
	// drift in the machine's other load weighs on both sides alike.
	idle, err := runClient(t, client, 0, phase/2)
	if err != nil {
		t.Fatal(err)
	}

	host := endpointHost(t, srv)
	ctx, cancel := context.WithCancel(t.Context())
	var st lorisStats
	ready := make(chan struct{}, conns)
	var wg sync.WaitGroup
	perSource := emulator.DefaultMaxConnsPerSource / 2
	for i := range conns {
		src := fmt.Sprintf("127.0.0.%d", 10+i/perSource)
		wg.Go(func() { slowloris(ctx, srv, host, src, &st, ready) })
	}
	rampStart := time.Now()
	rampTimeout := time.NewTimer(2 * time.Minute)
	for range conns {
		select {
		case <-ready:
		case <-rampTimeout.C:
			cancel()
			wg.Wait()
			t.Fatalf("only %d of %d slowloris connections got through the TLS handshake in 2 minutes", st.open.Load(), conns)
		}
	}
	rampTimeout.Stop()
	ramp := time.Since(rampStart)
	openAtStart := st.open.Load()

	loaded, err := runClient(t, client, 0, phase)
	openAtEnd := st.open.Load()
	cancel()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	after, err := runClient(t, client, 0, phase/2)
	if err != nil {
		t.Fatal(err)
	}
	idle.put, idle.get = append(idle.put, after.put...), append(idle.get, after.get...)

	t.Logf("slowloris: %d connections from %d sources (ramp %v), %d open when the loaded phase started, %d at its end; %d TLS dials, %d closed by the server, %d dials refused or failed",
		conns, (conns+perSource-1)/perSource, ramp.Round(time.Millisecond), openAtStart, openAtEnd, st.dials.Load(), st.closedByServer.Load(), st.dialErrors.Load())
	for _, op := range []string{"PutObject", "GetObject", "both"} {
		i, l := idle.pick(op), loaded.pick(op)
		t.Logf("%-9s idle server: n=%d p50=%v p99=%v | under slowloris: n=%d p50=%v p99=%v | ratio p50 %.2f p99 %.2f",
			op, len(i), pct(i, 0.50), pct(i, 0.99), len(l), pct(l, 0.50), pct(l, 0.99),
			float64(pct(l, 0.50))/float64(pct(i, 0.50)), float64(pct(l, 0.99))/float64(pct(i, 0.99)))
	}
	if len(loaded.put) == 0 {
		t.Error("the normal client completed no request under slowloris")
	}
}

// raiseNoFile makes sure the process may open need descriptors.
func raiseNoFile(t *testing.T, need uint64) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur >= need {
		return
	}
	lim.Cur = need
	if lim.Max < need {
		lim.Max = need // works as root
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("RLIMIT_NOFILE: need %d descriptors: %v", need, err)
	}
}

// boundSDKClient is aws-sdk-go-v2 wired to srv with every connection made
// from the source address local.
func boundSDKClient(t *testing.T, srv *emulator.Server, local string) *s3.Client {
	t.Helper()
	cfg, err := srv.AWSConfig(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	d := &net.Dialer{Timeout: closeWait, LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	addr := srv.Addr()
	cfg.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.TLSClientConfig = &tls.Config{RootCAs: srv.CACertPool(), MinVersion: tls.VersionTLS12}
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		}
	})
	return s3.NewFromConfig(cfg)
}

type latencies struct{ put, get []time.Duration }

func (l latencies) pick(op string) []time.Duration {
	switch op {
	case "PutObject":
		return l.put
	case "GetObject":
		return l.get
	}
	return append(slices.Clone(l.put), l.get...)
}

func pct(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}

// runClient does 1 KiB PutObject then GetObject (checking the bytes),
// rounds times, or for d when rounds is 0.
func runClient(t *testing.T, client *s3.Client, rounds int, d time.Duration) (latencies, error) {
	var out latencies
	body := randomBytes(t, 1<<10)
	ctx := t.Context()
	start := time.Now()
	for i := 0; rounds > 0 && i < rounds || rounds == 0 && time.Since(start) < d; i++ {
		key := aws.String(fmt.Sprintf("k%d", i%64))
		t0 := time.Now()
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("load"), Key: key, Body: bytes.NewReader(body)}); err != nil {
			return out, fmt.Errorf("PutObject: %w", err)
		}
		t1 := time.Now()
		obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("load"), Key: key})
		if err != nil {
			return out, fmt.Errorf("GetObject: %w", err)
		}
		got, err := io.ReadAll(obj.Body)
		obj.Body.Close()
		t2 := time.Now()
		if err != nil || !bytes.Equal(got, body) {
			return out, fmt.Errorf("GetObject %s: %d bytes (%v), want the 1 KiB written", *key, len(got), err)
		}
		out.put = append(out.put, t1.Sub(t0))
		out.get = append(out.get, t2.Sub(t1))
	}
	return out, nil
}

type lorisStats struct {
	open, dials, closedByServer, dialErrors atomic.Int64
}

// slowloris holds one connection from src that never finishes its headers
// (one header line a second) and opens a new one whenever the server
// closes it; ready gets one value when the first handshake succeeds.
func slowloris(ctx context.Context, srv *emulator.Server, host, src string, st *lorisStats, ready chan<- struct{}) {
	first := true
	tick := time.NewTicker(time.Second) // the trickle's pace
	defer tick.Stop()
	for ctx.Err() == nil {
		st.dials.Add(1)
		c, err := dialTLS(ctx, srv, host, srv.Addr(), src, nil)
		if err != nil {
			st.dialErrors.Add(1)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			continue
		}
		st.open.Add(1)
		if first {
			ready <- struct{}{}
			first = false
		}
		_, err = fmt.Fprintf(c, "PUT /load/slow HTTP/1.1\r\nHost: %s\r\n", host)
		for i := 0; err == nil; i++ {
			select {
			case <-ctx.Done():
				c.Close()
				st.open.Add(-1)
				return
			case <-tick.C:
			}
			_, err = fmt.Fprintf(c, "X-Slow-%d: v\r\n", i)
		}
		st.closedByServer.Add(1)
		st.open.Add(-1)
		c.Close()
	}
}
