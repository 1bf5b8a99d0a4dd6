package emulator

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/s3vpce/s3vpce/certs"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// Server is a running (or ready to run) emulator.
type Server struct {
	opts    Options
	log     *slog.Logger
	ca      *certs.CA
	backend gofakes3.Backend
	s3      http.Handler
	snap    atomic.Pointer[snapshot]
	tlsConf *tls.Config
	http    *http.Server

	mu      sync.Mutex
	ln      net.Listener
	dns     dnsService
	started bool
	closed  bool
	serving sync.WaitGroup
}

var _ http.Handler = (*Server)(nil)

// New builds a Server from opts without listening.
func New(opts Options) (*Server, error) {
	s := &Server{opts: opts, log: opts.Logger, ca: opts.CA, backend: opts.Backend}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.ca == nil {
		ca, err := certs.NewCA()
		if err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
		s.ca = ca
	}
	if s.backend == nil {
		s.backend = s3mem.New()
	}
	topo := opts.Topology
	if topo == nil {
		topo = vpce.DefaultTopology()
	}
	if err := s.SetTopology(topo); err != nil {
		return nil, err
	}
	s.s3 = gofakes3.New(s.backend,
		gofakes3.WithTimeSkewLimit(0), // the front end owns request validation
		gofakes3.WithLogger(gofakes3.DiscardLog()),
	).Server()
	s.tlsConf = &tls.Config{
		MinVersion:     tls.VersionTLS12, // PrivateLink for S3 refuses TLS 1.0
		NextProtos:     []string{"http/1.1"},
		GetCertificate: s.getCertificate,
	}
	s.http = &http.Server{
		Handler:  s,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	return s, nil
}

// SetTopology swaps in a new topology snapshot (and certificates for it);
// the next request and TLS handshake see it.
func (s *Server) SetTopology(topo *vpce.Topology) error {
	snap, err := newSnapshot(topo, s.ca)
	if err != nil {
		return err
	}
	s.snap.Store(snap)
	return nil
}

// Topology returns the current topology snapshot.
func (s *Server) Topology() *vpce.Topology { return s.snap.Load().topo }

func (s *Server) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	return s.snap.Load().certificate(hello.ServerName), nil
}

// Start creates the configured buckets, then listens for HTTPS and DNS and
// serves in the background. It returns once both accept connections.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("emulator: Start after Close")
	}
	if s.started {
		return errors.New("emulator: already started")
	}
	for _, b := range s.opts.Buckets {
		if err := s.backend.CreateBucket(b); err != nil && !errors.Is(err, gofakes3.ErrBucketAlreadyExists) && !gofakes3.HasErrorCode(err, gofakes3.ErrBucketAlreadyExists) {
			return fmt.Errorf("emulator: create bucket %s: %w", b, err)
		}
	}
	addr := s.opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("emulator: listen %s: %w", addr, err)
	}
	if s.opts.DNSAddr != "off" {
		dns, err := startDNS(ctx, s)
		if err != nil {
			ln.Close()
			return err
		}
		s.dns = dns
	}
	s.ln = ln
	s.started = true
	s.serveLocked(ln)
	s.log.Info("s3vpce listening", "https", ln.Addr().String(), "dns", s.DNSAddr())
	return nil
}

func (s *Server) serveLocked(ln net.Listener) {
	s.serving.Add(1)
	go func() {
		defer s.serving.Done()
		err := s.http.Serve(tls.NewListener(ln, s.tlsConf))
		if err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			s.log.Error("https listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
}

// ServeListener serves HTTPS on an extra listener, such as one opened inside
// a network namespace. It stops when ln is closed or the Server is.
func (s *Server) ServeListener(ln net.Listener) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("emulator: server is closed")
	}
	s.serveLocked(ln)
	return nil
}

// Close stops every listener, waits for in-flight requests to finish and
// stops DNS. It is idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	dns := s.dns
	s.mu.Unlock()
	err := s.http.Shutdown(context.Background())
	s.serving.Wait()
	if dns != nil {
		err = errors.Join(err, dns.Close())
	}
	return err
}

// Addr is the HTTPS listener's address ("127.0.0.1:port").
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

func (s *Server) port() int {
	_, p, err := net.SplitHostPort(s.Addr())
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(p)
	return n
}

// URL is the first endpoint's regional bucket. URL, with the listener's port,
// e.g. "https://bucket.vpce-….s3.us-east-1.vpce.amazonaws.com:41234". Reach
// it with Client, which dials the listener for every endpoint name.
func (s *Server) URL() string {
	e := s.Topology().Endpoints()[0]
	return e.BucketURL("", s.port())
}

// EndpointURL is the bucket. URL of endpoint id, regional when zone is empty.
func (s *Server) EndpointURL(id, zone string) (string, error) {
	e, ok := s.Topology().Endpoint(id)
	if !ok {
		return "", fmt.Errorf("emulator: no endpoint %s", id)
	}
	if zone != "" {
		if _, ok := e.Zone(zone); !ok {
			return "", fmt.Errorf("emulator: endpoint %s has no interface in %s", id, zone)
		}
	}
	return e.BucketURL(zone, s.port()), nil
}

// CA returns the certificate authority that signs the endpoint certificates.
func (s *Server) CA() *certs.CA { return s.ca }

// CACertPool returns a pool holding the emulator's CA.
func (s *Server) CACertPool() *x509.CertPool { return s.ca.Pool() }

// CACertPEM returns the CA certificate in PEM form.
func (s *Server) CACertPEM() []byte { return s.ca.CertPEM() }

// Handler returns the HTTP handler (Host routing, body decoding, gofakes3)
// without TLS or listeners, for embedding in another server.
func (s *Server) Handler() http.Handler { return s }

// ServeHTTP routes one request. It is the Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	snap := s.snap.Load()
	host, ep, serr := route(snap.topo, r)
	if serr == nil {
		var cleanup func()
		cleanup, serr = prepareBody(r)
		defer cleanup()
	}
	attrs := []any{"request_id", reqID, "method", r.Method, "host", host.Name, "path", r.URL.Path, "remote", r.RemoteAddr}
	if ep != nil {
		attrs = append(attrs, "vpce", ep.ID)
	}
	if serr != nil {
		s.log.Info("request rejected", append(attrs, "code", serr.Code)...)
		writeS3Error(w, r, reqID, serr)
		if r.Body != nil {
			io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		}
		return
	}
	s.log.Debug("request", attrs...)
	rw := newS3Response(w, r, reqID)
	s.s3.ServeHTTP(rw, r)
	rw.finish()
}
