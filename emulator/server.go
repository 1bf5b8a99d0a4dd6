package emulator

import (
	"bytes"
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
	"time"
	"unicode/utf8"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/sigv4"

	"github.com/s3vpce/s3vpce/certs"
	"github.com/s3vpce/s3vpce/internal/ec2api"
	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/internal/s3control"
	"github.com/s3vpce/s3vpce/internal/store"
	"github.com/s3vpce/s3vpce/internal/upstream"
	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/policy"
)

// Server is a running (or ready to run) emulator.
type Server struct {
	opts     Options
	log      *slog.Logger
	ca       *certs.CA
	store    *store.Store
	ownStore bool // opened by New: closed by Close
	compat   *s3api.Handler
	control  *s3control.Handler
	ec2      *ec2api.Handler
	up       *upstream.Forwarder // upstream mode (upstream.go); nil: the store answers
	snap     atomic.Pointer[snapshot]
	tlsConf  *tls.Config
	http     *http.Server

	creds      credentialSet
	defaultKey string
	authOff    bool
	gateOff    bool // no SigV4, no policies: set only by benchmarks (export_test.go)
	now        func() time.Time
	policies   policyCache         // compiled bucket policies
	opKeys     map[string][]string // operationKeyTable, read only
	keys       keyCache
	verifier   sigv4.Verifier // reuses SigV4's canonical-request buffers
	decisions  *decisionLog
	setMu      sync.Mutex // serialises topology changes
	topoDir    string     // where the topology is saved; "" for none
	maxConns   int        // per source and listener; negative: no cap

	watchers topologyWatchers // WatchTopology's subscribers (watch.go)

	wouldDeny wouldDenies // audit mode's summary (audit.go)

	mu      sync.Mutex
	ln      net.Listener
	dns     dnsService
	started bool
	closed  bool
	serving sync.WaitGroup
	// stopLifecycle stops the lifecycle worker (lifecycle.go); nil when
	// none runs.
	stopLifecycle func()
}

var _ http.Handler = (*Server)(nil)

// New builds a Server from opts without listening.
func New(opts Options) (*Server, error) {
	s := &Server{opts: opts, log: opts.Logger, ca: opts.CA, store: opts.Store,
		authOff: opts.AuthOff, now: opts.Now, decisions: newDecisionLog(4096)}
	if s.now == nil {
		s.now = time.Now
	}
	s.opKeys = operationKeyTable()
	creds, err := newCredentialSet(opts.Credentials)
	if err != nil {
		return nil, err
	}
	s.creds = creds
	s.defaultKey = DefaultAccessKeyID
	if len(opts.Credentials) > 0 {
		s.defaultKey = opts.Credentials[0].AccessKeyID
	}
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
	if s.store == nil {
		stOpts := store.Options{Now: s.now, Logger: s.log}
		if opts.DataDir != "" {
			st, err := store.OpenDir(opts.DataDir, stOpts)
			if err != nil {
				return nil, fmt.Errorf("emulator: %w", err)
			}
			s.store = st
		} else {
			s.store = store.NewMemory(stOpts)
		}
		s.ownStore = true
	}
	topo, err := initialTopology(opts)
	if err == nil {
		topo, err = withPolicyMode(topo, opts.PolicyMode)
	}
	if err != nil {
		if s.ownStore {
			s.store.Close()
		}
		return nil, err
	}
	if opts.Store == nil {
		s.topoDir = opts.DataDir
	}
	if err := s.SetTopology(topo); err != nil {
		if s.ownStore {
			s.store.Close()
		}
		return nil, err
	}
	s.compat = s3api.New(s.store, s.s3apiOptions()...)
	if err := s.initUpstream(); err != nil {
		if s.ownStore {
			s.store.Close()
		}
		return nil, err
	}
	s.control = s3control.New(s.store)
	s.ec2 = ec2api.New(s)
	s.tlsConf = &tls.Config{
		MinVersion:     tls.VersionTLS12, // PrivateLink for S3 refuses TLS 1.0
		NextProtos:     []string{"http/1.1"},
		GetCertificate: s.getCertificate,
	}
	s.maxConns = opts.MaxConnsPerSource
	if s.maxConns == 0 {
		s.maxConns = DefaultMaxConnsPerSource
	}
	s.http = &http.Server{
		Handler: progressHandler{next: s, timeout: durationOption(opts.RequestTimeout, DefaultRequestTimeout), log: s.log},
		// Also the TLS handshake's deadline: net/http bounds the handshake
		// by the least of ReadHeaderTimeout, ReadTimeout and WriteTimeout.
		ReadHeaderTimeout: durationOption(opts.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		IdleTimeout:       durationOption(opts.IdleTimeout, DefaultIdleTimeout),
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	return s, nil
}

// SetTopology swaps in a new topology snapshot (and certificates for it);
// the next request and TLS handshake see it.
func (s *Server) SetTopology(topo *vpce.Topology) error {
	s.setMu.Lock()
	defer s.setMu.Unlock()
	return s.swapLocked(topo)
}

// swapLocked compiles, saves and installs a snapshot; s.setMu must be
// held.
func (s *Server) swapLocked(topo *vpce.Topology) error {
	snap, err := newSnapshot(topo, s.ca, s.snap.Load())
	if err != nil {
		return err
	}
	if err := s.saveTopology(topo); err != nil {
		return err
	}
	s.snap.Store(snap)
	s.watchers.notify()
	return nil
}

// Topology returns the current topology snapshot.
func (s *Server) Topology() *vpce.Topology { return s.snap.Load().topo }

func (s *Server) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	snap := s.snap.Load()
	if c := snap.pub.certificate(hello); c != nil {
		return c, nil
	}
	return snap.certificate(hello.ServerName), nil
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
		if err := s.store.CreateBucket(store.Bucket{Name: b, Owner: DefaultAccountID}); err != nil && !errors.Is(err, store.ErrBucketExists) {
			return fmt.Errorf("emulator: create bucket %s: %w", b, err)
		}
	}
	for b, doc := range s.opts.BucketPolicies {
		if err := s.SetBucketPolicy(b, doc); err != nil {
			return err
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
	s.stopLifecycle = s.startLifecycle()
	s.log.Info("s3vpce listening", "https", ln.Addr().String(), "dns", s.DNSAddr())
	return nil
}

func (s *Server) serveLocked(ln net.Listener) { s.serveOn(ln, true) }

// serveOn serves ln (TLS or plain HTTP) in the background with the
// per-source connection cap; s.mu must be held.
func (s *Server) serveOn(ln net.Listener, withTLS bool) {
	capped := ln
	if s.maxConns > 0 {
		capped = newConnLimiter(ln, s.maxConns, s.log)
	}
	kind := "http"
	if withTLS {
		capped, kind = tls.NewListener(capped, s.tlsConf), "https"
	}
	s.serving.Add(1)
	go func() {
		defer s.serving.Done()
		err := s.http.Serve(capped)
		if err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			s.log.Error(kind+" listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
}

// ServeListener serves HTTPS on an extra listener, such as one opened inside
// a network namespace, with the same timeouts and its own per-source
// connection cap. It stops when ln is closed or the Server is.
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
	stopLifecycle := s.stopLifecycle
	s.mu.Unlock()
	if stopLifecycle != nil {
		stopLifecycle()
	}
	err := s.http.Shutdown(context.Background())
	s.serving.Wait()
	if dns != nil {
		err = errors.Join(err, dns.Close())
	}
	if s.ownStore {
		err = errors.Join(err, s.store.Close())
	}
	return err
}

// DataDir is the directory of the dir store holding the Server's S3
// state; "" when the state is in memory.
func (s *Server) DataDir() string { return s.store.Dir() }

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

// Handler returns the HTTP handler (Host routing, the gate, body decoding, the S3 layer)
// without TLS or listeners, for embedding in another server.
func (s *Server) Handler() http.Handler { return s }

// ServeHTTP serves one request: classify the Host, authenticate (SigV4),
// authorize (endpoint and bucket policies), prepare the body (decoded and
// verified as it streams), then hand the typed request to the S3 layer.
func (s *Server) ServeHTTP(hw http.ResponseWriter, r *http.Request) {
	if isEC2Request(r) {
		s.serveEC2(hw, r)
		return
	}
	ex := &exchange{log: newRequestLog(hw, r)} // exchange.go
	w := &ex.log
	reqID, hid := newRequestIDs()
	now := s.now()
	snap := s.snap.Load()
	rec := &DecisionRecord{RequestID: reqID, Time: now, ids: [2]string{reqID, hid}}
	r = r.WithContext(s3err.WithRequestIDs(r.Context(), &rec.ids))
	// Canonical keys, and the record's array for both values: what h.Set
	// does, without canonicalizing and allocating each.
	h := w.Header()
	h["X-Amz-Request-Id"], h["X-Amz-Id-2"] = rec.ids[0:1:1], rec.ids[1:2:2]
	watch := streamedBody(r) // before receiveBody wraps it
	serr := s.gate(r, snap, rec, now)
	s.addCORSHeaders(w, r, rec)
	if serr == nil && rec.control != nil {
		s.serveControl(w, r, snap, rec, now)
		return
	}
	var body *s3api.Body
	var trailer string
	if s.up != nil {
		trailer = headerValue(r.Header, hdrTrailer) // for forward: receiveBody removes it
	}
	if serr == nil {
		body, serr = s.receiveBody(r, rec)
	}
	if serr != nil {
		if rec.Error == "" && serr.Code != "AccessDenied" {
			rec.Error = serr.Code
		}
		rec.refused(serr, s.hint(r, snap, rec, serr))
		// The body is left unread: net/http drains a small remainder for
		// keep-alive, or closes the connection, and never sends 100 Continue
		// for a request refused before its body.
		writeRefusal(w, r, rec, serr)
		s.logDecision(rec, serr, w)
		return
	}
	// Logged once the response is written: answering may add checks (the
	// missing-key rule, DeleteObjects' keys), and the log shares the record.
	defer s.logDecision(rec, nil, w)
	t := rec.target
	ex.auth = authorizer{s: s, r: r, snap: snap, rec: rec, now: now}
	ex.req = s3api.Request{Op: t.op, Bucket: t.bucket, Key: t.key, HTTP: r, Query: t.query, Body: body,
		OwnerID: s.canonicalUserID(rec.caller.principal.Account), OwnerName: s.ownerName(), Account: rec.caller.principal.Account,
		RequestID: reqID, Now: now, Auth: &ex.auth}
	req := &ex.req
	if rec.post != nil {
		rec.post.request(req)
	}
	if s.up != nil {
		s.forward(w, req, rec, trailer) // upstream.go
		s.noteTimeout(r, snap, rec, watch)
		return
	}
	s.compat.Answer(w, req)
	if body != nil && w.status >= 400 {
		// The operation failed before reading the whole body (a full disk,
		// a missing bucket): read on, within reason, so that a client
		// still sending gets the error rather than a reset connection.
		io.CopyN(io.Discard, r.Body, maxDrainAfterError)
	}
	s.noteTimeout(r, snap, rec, watch)
}

// maxDrainAfterError is how much of an unread request body is read and
// dropped after an error response.
const maxDrainAfterError = 64 << 20

// receiveBody holds the body to the operation's size limit and prepares
// it (prepareBody).
func (s *Server) receiveBody(r *http.Request, rec *DecisionRecord) (*s3api.Body, *s3err.Error) {
	if rec.post != nil {
		return rec.post.body(r)
	}
	op := rec.target.op
	limited, serr := limitBody(r, op)
	if serr != nil {
		return nil, serr
	}
	body, serr := prepareBody(r, op, rec.caller)
	if serr != nil {
		return nil, serr
	}
	if serr := checkDecodedSize(r, op); serr != nil {
		return nil, serr
	}
	if body != nil && op != "PutObject" && op != "UploadPart" {
		// A document (XML or JSON configuration, DeleteObjects, the part
		// list): read it here, within its limit, so that a body too large or
		// not what it claims is refused before the operation looks at
		// anything. Object data streams into the store instead.
		doc, err := io.ReadAll(body)
		if err != nil {
			if serr := limited.overLimit(op); serr != nil {
				return nil, serr
			}
			return nil, s3api.BodyReadError(err)
		}
		body.Reader, body.Size = bytes.NewReader(doc), int64(len(doc))
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(doc)), int64(len(doc))
	}
	return body, nil
}

// ownerName is the DisplayName beside the canonical ID in Owner and
// Grantee elements: none, as S3 since 21 November 2025, unless buckets
// start as S3's did before (LegacyBucketDefaults, for older test suites).
func (s *Server) ownerName() string {
	if s.opts.LegacyBucketDefaults {
		return "s3vpce"
	}
	return ""
}

// gate runs every check before a request may reach the store. It fills rec.
func (s *Server) gate(r *http.Request, snap *snapshot, rec *DecisionRecord, now time.Time) *s3err.Error {
	if pr, local, ok := snap.pub.at(r); ok {
		return s.gatePublic(r, snap, rec, now, pr, local)
	}
	host, ep, err := snap.topo.Resolve(r.Host)
	if err != nil {
		return &s3err.Error{Status: http.StatusBadRequest, Code: "InvalidRequest",
			Message: fmt.Sprintf("The host %q is not a name of any endpoint of this emulator (%v). Use https://bucket.<endpoint DNS name> as the endpoint URL.", r.Host, err)}
	}
	rec.Endpoint = ep.ID
	rec.ep = ep
	rec.noteSource(r, snap.topo, ep)
	// S3 keys are UTF-8: a path whose percent-escapes decode to anything
	// else is refused before authentication, as S3 does.
	if !utf8.ValidString(r.URL.Path) {
		return &s3err.Error{Status: http.StatusBadRequest, Code: "InvalidURI", Message: "Couldn't parse the specified URI."}
	}
	// The query is parsed once, for authentication and the operation;
	// routing changes only the Host and the path.
	q := r.URL.Query()
	if isControl(host) {
		return s.gateControl(r, q, snap, host, ep, rec, now)
	}
	ap, serr := s.accessPointOf(&host)
	if serr != nil {
		return serr
	}
	if isPostUpload(r, q) { // browser-based POST upload: postobject.go
		return s.gatePost(r, q, snap, host, ep, ap, rec, now)
	}
	if r.Method == http.MethodOptions { // CORS preflight: cors.go
		return s.gatePreflight(r, q, host, ep, ap, rec)
	}
	if s.gateOff { // benchmarks only (export_test.go): the baseline without the gate
		if serr := route(host, ep, r); serr != nil {
			return serr
		}
		rec.caller = caller{principal: s.creds[s.defaultKey].principal}
		rec.target, serr = s.throughAccessPoint(r, parseTarget(r, q), ap)
		rec.Operation = rec.target.op
		return serr
	}
	c, serr := s.authenticate(r, q, ep, now)
	if serr != nil {
		return serr
	}
	rec.caller = c
	rec.Principal = principalName(c.principal)
	if serr := route(host, ep, r); serr != nil {
		return serr
	}
	t, serr := s.throughAccessPoint(r, parseTarget(r, q), ap)
	rec.Operation, rec.target = t.op, t
	if serr != nil {
		return serr
	}
	if serr := checkNetworkOrigin(t.ap, ep, rec); serr != nil {
		return serr
	}
	checks, serr := s.authorize(r, snap, ep, c, t, now)
	rec.Checks = checks
	return serr
}

func principalName(p policy.Principal) string {
	if p.Anonymous {
		return "anonymous"
	}
	return p.ARN
}

// logDecision records the request in the decision log and logs it, with
// the exchange's method, Host, path, status, S3 error code, response size
// and duration (from rl, once the response is written).
func (s *Server) logDecision(rec *DecisionRecord, serr *s3err.Error, rl *requestLog) {
	rec.markWouldDeny()
	s.decisions.add(rec)
	s.wouldDeny.add(rec)
	level := slog.LevelDebug
	if serr != nil || !rec.Allowed() || rec.WouldDeny {
		level = slog.LevelInfo
	}
	if !s.log.Enabled(context.Background(), level) {
		return
	}
	code := rec.Code // set for refusals found while answering (missing key, a stalled body)
	decision := rec.decisionWord()
	if serr != nil {
		decision, code = "deny", serr.Code
	} else if !rec.Allowed() {
		decision = "deny"
	}
	attrs := append(rl.attrs(code), "request_id", rec.RequestID, "vpce", rec.Endpoint, "principal", rec.Principal, "op", rec.Operation)
	if rec.Message != "" {
		attrs = append(attrs, "message", rec.Message)
	}
	if rec.Path != "" {
		attrs = append(attrs, "path", rec.Path, "source", rec.Source)
	}
	if n := len(rec.Checks); n > 0 {
		last := rec.decidingCheck()
		attrs = append(attrs, "action", last.Action, "resource", last.Resource, "policy", last.Decision.Kind.String(),
			"statement", last.Decision.Statement, "sid", last.Decision.Sid, "reason", last.Decision.Reason.String())
	}
	attrs = append(attrs, rec.hintAttr()...)
	attrs = append(attrs, "decision", decision)
	s.log.Log(context.Background(), level, "request", attrs...)
}

// Decision returns the decision record of a recent request by its ID (the
// RequestId of its response).
func (s *Server) Decision(requestID string) (*DecisionRecord, bool) {
	return s.decisions.get(requestID)
}

// RecentDecisions returns up to n decision records, newest first.
func (s *Server) RecentDecisions(n int) []*DecisionRecord { return s.decisions.recent(n) }
