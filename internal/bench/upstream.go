package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3vpce/s3vpce/emulator"
)

// Upstream mode's targets: TargetUpstream is the S3 upstream alone, reached
// directly over plain HTTP; TargetViaUpstream is s3vpce's whole path (TLS,
// vpce names, SigV4, the gate) in upstream mode, forwarding to that same
// upstream. They are not in the default target list: select them with
// Config.Targets (s3vpce-bench -targets upstream,via-upstream).
const (
	TargetUpstream    = "upstream"
	TargetViaUpstream = "via-upstream"
)

// The bench upstream's credentials, which the via-upstream target signs
// its forwarded requests with.
const (
	upstreamKeyID  = "AKIABENCHUPSTREAM001"
	upstreamSecret = "benchUpstreamSecretKeyNotTheClientsOne01"
)

// benchUpstream is the S3 upstream both upstream targets share: s3vpce's
// own S3 layer (an emulator with authentication off over a memory store,
// which decodes aws-chunked bodies as a real upstream does) served over
// plain HTTP on a loopback port, path style.
type benchUpstream struct {
	url string
	hs  *http.Server
	emu *emulator.Server
}

// sharedUpstream starts the bench upstream on first use and closes it once.
type sharedUpstream struct{ up *benchUpstream }

func (s *sharedUpstream) get() (*benchUpstream, error) {
	if s.up == nil {
		up, err := startBenchUpstream(context.Background(), "127.0.0.1:0", "")
		if err != nil {
			return nil, err
		}
		s.up = up
	}
	return s.up, nil
}

// startBenchUpstream starts the bench upstream on addr, over a dir store in
// dataDir ("" for a memory store).
func startBenchUpstream(ctx context.Context, addr, dataDir string) (*benchUpstream, error) {
	emu, err := emulator.New(emulator.Options{Buckets: []string{Bucket}, DNSAddr: "off", AuthOff: true, LifecycleDay: -1, DataDir: dataDir})
	if err != nil {
		return nil, fmt.Errorf("bench: upstream: %w", err)
	}
	if err := emu.Start(ctx); err != nil { // creates the bucket; its own TLS listener stays idle
		emu.Close()
		return nil, fmt.Errorf("bench: upstream: %w", err)
	}
	u, err := url.Parse(emu.URL())
	if err != nil {
		emu.Close()
		return nil, fmt.Errorf("bench: upstream: %w", err)
	}
	host := u.Hostname() // the emulator's bucket. name: the forwarded requests are path style
	h := emu.Handler()
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		emu.Close()
		return nil, fmt.Errorf("bench: upstream: %w", err)
	}
	hs := &http.Server{ReadHeaderTimeout: 20 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Host = host
		h.ServeHTTP(w, r)
	})}
	go hs.Serve(ln)
	return &benchUpstream{url: "http://" + ln.Addr().String(), hs: hs, emu: emu}, nil
}

// ServeUpstream runs the bench upstream on addr as a process of its own
// (for measuring `s3vpce serve --upstream` from outside, as
// scripts/upstream-rss does) until ctx ends: plain HTTP, path style, the
// bucket "bench", objects in a dir store under dataDir, any signature
// accepted. ready gets its URL once it listens.
func ServeUpstream(ctx context.Context, addr, dataDir string, ready func(url string)) error {
	up, err := startBenchUpstream(ctx, addr, dataDir)
	if err != nil {
		return err
	}
	ready(up.url)
	<-ctx.Done()
	up.hs.Close()
	return up.emu.Close()
}

func (s *sharedUpstream) close() {
	if s.up != nil {
		s.up.hs.Close()
		s.up.emu.Close()
		s.up = nil
	}
}

// startUpstreamTarget starts TargetUpstream or TargetViaUpstream over the
// shared upstream.
func startUpstreamTarget(ctx context.Context, name string, clients int, shared *sharedUpstream) (*target, error) {
	up, err := shared.get()
	if err != nil {
		return nil, err
	}
	if name == TargetUpstream {
		tr := &http.Transport{MaxIdleConnsPerHost: clients * 2, IdleConnTimeout: 30 * time.Second}
		hc := &http.Client{Transport: tr}
		return &target{name: name, chunks: true,
			client: func(variant string) *s3.Client { return newClient(hc, up.url, variant) },
			close:  tr.CloseIdleConnections}, nil
	}
	t, err := startEmulator(ctx, name, emulator.Options{Buckets: []string{Bucket}, BucketPolicies: map[string]string{Bucket: benchPolicy}, DNSAddr: "off",
		Upstream: &emulator.Upstream{URL: up.url, Credentials: credentials.NewStaticCredentialsProvider(upstreamKeyID, upstreamSecret, "")}}, clients)
	return t.target, err
}
