package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/s3vpce/s3vpce/certs"
	"github.com/s3vpce/s3vpce/dnsserver"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/attach"
	"github.com/s3vpce/s3vpce/internal/netns"
	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/policy"
)

// Defaults of s3vpce serve. docker-compose.yml and the README use them.
const (
	defaultHTTPSAddr = "127.0.0.1:4443"
	defaultDNSAddr   = "127.0.0.1:5300"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type serveFlags struct {
	home, httpsAddr, dnsAddr, dnsUpstream, logFormat string
	dnsForwardFor                                    string
	auth, credentials, endpointPolicy, topology      string
	buckets                                          listFlag
	privateDNS, verbose, legacyBuckets               bool
	sigV2Post                                        bool
	store                                            storeFlags
	// Timeouts and the connection cap: 0 is the emulator's default, -1 off.
	readHeaderTimeout, idleTimeout, requestTimeout time.Duration
	maxConnsPerSource                              int
	// lifecycleDay is the lifecycle worker's day: 0 is S3's 24h, -1 off.
	lifecycleDay time.Duration
	up           upstreamFlags // serveupstream.go
}

func newServeFlags(stderr io.Writer) (*flag.FlagSet, *serveFlags) {
	f := &serveFlags{}
	fs := flag.NewFlagSet("s3vpce serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.home, "home", "", "state directory holding the CA (default $S3VPCE_HOME, $XDG_DATA_HOME/s3vpce or ~/.local/share/s3vpce)")
	fs.StringVar(&f.httpsAddr, "https-addr", defaultHTTPSAddr, "HTTPS listen address (loopback unless you mean otherwise)")
	fs.StringVar(&f.dnsAddr, "dns-addr", defaultDNSAddr, `DNS listen address, UDP and TCP ("off" for none)`)
	fs.StringVar(&f.dnsUpstream, "dns-upstream", "resolv.conf", `where DNS forwards names it does not serve: "resolv.conf" (the host's nameservers), "none" (REFUSED) or host:port,...`)
	fs.StringVar(&f.dnsForwardFor, "dns-forward-for", "", `clients DNS forwards other names for, as CIDR[,CIDR...] ("none": no one); others get REFUSED (default: loopback and the VPC CIDRs)`)
	fs.Var(&f.buckets, "bucket", "create this bucket at start (repeatable)")
	fs.BoolVar(&f.legacyBuckets, "legacy-bucket-defaults", false, "create buckets as S3 did before April 2023: object ownership ObjectWriter (ACLs enabled), no public access block; and Owner DisplayName returned as before November 2025")
	fs.BoolVar(&f.privateDNS, "private-dns", false, "enable private DNS: s3.<region>.amazonaws.com and friends resolve to the endpoint")
	fs.StringVar(&f.topology, "topology", "", "JSON file of the VPCs, subnets, security groups, route tables, instances and endpoints to emulate (default: what the last serve on the same data left, with every change made through the EC2 API, else the seed's; testdata/topology.json is the seed's as a file; s3vpce topology import builds one from a real account)")
	fs.StringVar(&f.logFormat, "log", "text", `log format on stderr: "text" or "json"`)
	fs.BoolVar(&f.verbose, "v", false, "log every request (denied requests are always logged)")
	fs.StringVar(&f.auth, "auth", "on", `"on": verify SigV4 as S3 does (unsigned requests are anonymous); "off": accept any signature as the first credential`)
	fs.BoolVar(&f.sigV2Post, "sigv2-post", false, "accept browser POST uploads signed with Signature Version 2, as S3 does only for legacy buckets (created before 24 June 2020)")
	fs.StringVar(&f.credentials, "credentials", "", "file of access keys, one per line: ACCESS_KEY_ID SECRET_ACCESS_KEY IAM_ARN (default: the built-in key pair)")
	fs.StringVar(&f.endpointPolicy, "endpoint-policy", "", "endpoint policy JSON file for the endpoint (default: AWS's full-access policy)")
	f.store.register(fs)
	fs.Func("read-header-timeout", fmt.Sprintf("bound the TLS handshake plus each request's headers to `DURATION`, or off (default %v)", emulator.DefaultReadHeaderTimeout), durationOrOff(&f.readHeaderTimeout))
	fs.Func("idle-timeout", fmt.Sprintf("close a keep-alive connection idle for `DURATION`, or off (default %v)", emulator.DefaultIdleTimeout), durationOrOff(&f.idleTimeout))
	fs.Func("request-timeout", fmt.Sprintf("answer 400 RequestTimeout to a request body (and drop a response) that makes no progress for `DURATION`, or off (default %v)", emulator.DefaultRequestTimeout), durationOrOff(&f.requestTimeout))
	fs.Func("max-conns-per-source", fmt.Sprintf("allow `N` open connections from one source IP, or off (default %d)", emulator.DefaultMaxConnsPerSource), countOrOff(&f.maxConnsPerSource))
	fs.Func("lifecycle-day", fmt.Sprintf("apply bucket lifecycle rules with a day of `DURATION` (10s makes a rule's \"Days\": 1 act within seconds), or off (default %v)", emulator.DefaultLifecycleDay), durationOrOff(&f.lifecycleDay))
	f.up.register(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: s3vpce serve [flags]\n\nRun the emulator: HTTPS for the endpoint names, DNS for them, and a control\nsocket through which `s3vpce exec` shares this server.\n\n")
		fs.PrintDefaults()
	}
	return fs, f
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, f := newServeFlags(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "s3vpce serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	start := time.Now()
	log := newLogger(stderr, f.logFormat, f.verbose)
	home, err := stateDir(f.home)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce serve: %v\n", err)
		return 1
	}
	ca, created, err := certs.LoadOrCreate(home)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce serve: %v\n", err)
		return 1
	}
	upstream, err := parseUpstream(f.dnsUpstream)
	var noUpstream error // warned about once this serve holds the home
	if err != nil && f.dnsUpstream == "resolv.conf" {
		noUpstream, upstream, err = err, nil, nil
	}
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce serve: --dns-upstream: %v\n", err)
		return 2
	}
	for _, u := range upstream {
		if u == f.dnsAddr {
			fmt.Fprintf(stderr, "s3vpce serve: --dns-upstream %s is this server's own --dns-addr: it would forward to itself\n", u)
			return 2
		}
	}
	forwardFor, err := parseForwardFor(f.dnsForwardFor)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce serve: --dns-forward-for: %v\n", err)
		return 2
	}
	var creds []emulator.Credential
	if f.credentials != "" {
		if creds, err = readCredentials(f.credentials); err != nil {
			fmt.Fprintf(stderr, "s3vpce serve: --credentials: %v\n", err)
			return 2
		}
	}
	if f.auth != "on" && f.auth != "off" {
		fmt.Fprintf(stderr, "s3vpce serve: --auth %q: want on or off\n", f.auth)
		return 2
	}
	upstreamOpts, err := f.up.options(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce serve: %v\n", err)
		return 2
	}
	var topo *vpce.Topology
	if f.topology != "" {
		if topo, err = loadTopology(f.topology, f.privateDNS); err != nil {
			fmt.Fprintf(stderr, "s3vpce serve: %v\n", err)
			return 1
		}
	}
	// Before anything listens or logs: a second serve on the same home
	// refuses with nothing else said.
	lock, err := lockHome(home)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce serve: %v\n", err)
		return 1
	}
	defer lock.Close()
	if noUpstream != nil {
		log.Warn("no upstream DNS: names outside the endpoint zones get REFUSED", "err", noUpstream)
	}
	dataDir, err := f.store.dataDir(home)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce serve: %v\n", err)
		return 2
	}
	// The topology: the --topology file (read before anything, above),
	// else the one the last serve on this data left (with every change made
	// through the EC2 API), else the seed's; --private-dns and
	// --endpoint-policy change it.
	if topo == nil {
		if topo, err = startTopology(dataDir, f.privateDNS); err != nil {
			fmt.Fprintf(stderr, "s3vpce serve: %v\n", err)
			return 1
		}
	}
	if f.endpointPolicy != "" {
		if topo, err = withEndpointPolicy(topo, f.endpointPolicy); err != nil {
			fmt.Fprintf(stderr, "s3vpce serve: --endpoint-policy: %v\n", err)
			return 1
		}
	}
	srv, err := emulator.New(emulator.Options{
		DataDir: dataDir, Topology: topo, CA: ca, Buckets: f.buckets, Addr: f.httpsAddr, DNSAddr: f.dnsAddr,
		DNSUpstream: upstream, Logger: log, Credentials: creds, AuthOff: f.auth == "off",
		ReadHeaderTimeout: f.readHeaderTimeout, IdleTimeout: f.idleTimeout, RequestTimeout: f.requestTimeout,
		MaxConnsPerSource:    f.maxConnsPerSource,
		DNSForwardFor:        forwardFor,
		LifecycleDay:         f.lifecycleDay,
		LegacyBucketDefaults: f.legacyBuckets,
		SigV2Post:            f.sigV2Post,
		Upstream:             upstreamOpts,
	})
	if err == nil {
		if err = srv.Start(ctx); err != nil {
			srv.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce serve: %v\n", explainStoreError(err))
		return 1
	}
	defer srv.Close()
	caFile := filepath.Join(home, certs.CertFile)
	closeCtl, err := listenControl(ctx, srv, home, caFile, log)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce serve: %v\n", err)
		return 1
	}
	defer closeCtl()
	admin, err := listenAdmin(filepath.Join(home, adminSocket), srv.AdminHandler())
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce serve: %v\n", err)
		return 1
	}
	defer admin.Close()
	if f.auth == "off" {
		log.Warn("authentication is OFF: signatures are not verified and every request acts as the first credential", "principal", firstPrincipal(creds))
	}
	exp := newExposure(srv.Addr(), srv.DNSAddr(), f.auth == "off", len(creds) == 0, forwardFor, upstream, srv.Topology())
	exp.log(log)
	if err := lock.update(stateFor(srv, caFile, creds)); err != nil {
		log.Warn("s3vpce env will not know this serve", "err", err)
	}
	printBanner(stdout, srv, bannerInfo{home: home, data: describeStore(srv), topology: describeTopology(srv, homeFlag(home)), homeFlag: homeFlag(home), caFile: caFile, caCreated: created, creds: creds, authOff: f.auth == "off", exposure: exp})
	log.Info("ready", "https", srv.Addr(), "dns", srv.DNSAddr(), "startup", time.Since(start).Round(time.Microsecond).String())
	<-ctx.Done()
	log.Info("shutting down")
	return 0
}

// listenControl opens the control socket in home through which `s3vpce
// exec` shares srv, and keeps the attached execs following srv's topology:
// addresses it gains appear in their namespaces, those it loses go. The
// returned function closes it.
func listenControl(ctx context.Context, srv *emulator.Server, home, caFile string, log *slog.Logger) (func(), error) {
	ctl, err := attach.Listen(filepath.Join(home, attach.SocketName), func() attach.Hello {
		return helloFor(srv.Topology(), caFile)
	}, func(s *netns.Sockets) (func(), error) {
		return attachSockets(ctx, srv, s)
	}, log)
	if err != nil {
		return nil, err
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		srv.WatchTopology(watchCtx, func(*vpce.Topology) { ctl.Refresh() })
	}()
	return func() {
		stopWatch()
		<-watched
		ctl.Close()
	}, nil
}

// attachSockets serves HTTPS and DNS on sockets opened in an exec
// namespace; HTTPS is nil for the DNS sockets of a resolver address added
// later.
func attachSockets(ctx context.Context, srv *emulator.Server, s *netns.Sockets) (func(), error) {
	if s.HTTPS != nil {
		if err := srv.ServeListener(s.HTTPS); err != nil {
			return nil, err
		}
	}
	if s.HTTP != nil {
		if err := srv.ServeHTTPListener(s.HTTP); err != nil {
			s.HTTPS.Close()
			return nil, err
		}
	}
	if s.DNSUDP != nil || s.DNSTCP != nil {
		if err := srv.ServeDNS(ctx, s.DNSUDP, s.DNSTCP); err != nil {
			if s.HTTPS != nil {
				s.HTTPS.Close()
			}
			return nil, err
		}
	}
	return func() { s.Close() }, nil
}

func firstPrincipal(creds []emulator.Credential) string {
	if len(creds) > 0 {
		return creds[0].ARN
	}
	return emulator.DefaultPrincipalARN
}

// withEndpointPolicy sets the first endpoint's policy from a file.
func withEndpointPolicy(topo *vpce.Topology, path string) (*vpce.Topology, error) {
	doc, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := policy.Validate(doc, policy.KindEndpoint); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	e := topo.Endpoints()[0]
	e.Policy = string(doc)
	return topo.WithEndpoint(e)
}

// readCredentials reads "ACCESS_KEY_ID SECRET_ACCESS_KEY IAM_ARN" lines;
// blank lines and # comments are skipped.
func readCredentials(path string) ([]emulator.Credential, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []emulator.Credential
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("%s:%d: want ACCESS_KEY_ID SECRET_ACCESS_KEY IAM_ARN, got %d fields", path, i+1, len(f))
		}
		out = append(out, emulator.Credential{AccessKeyID: f[0], SecretAccessKey: f[1], ARN: f[2]})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no credentials", path)
	}
	if _, err := emulator.New(emulator.Options{Credentials: out}); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// loadTopology reads a topology file, or builds the default topology when
// path is empty.
func loadTopology(path string, privateDNS bool) (*vpce.Topology, error) {
	if path == "" {
		return defaultTopology(privateDNS)
	}
	if privateDNS {
		return nil, fmt.Errorf("--private-dns applies to the default topology: set \"private_dns\": true on the endpoint in %s", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	topo, err := vpce.ParseTopology(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return topo, nil
}

// startTopology is the topology of a serve on dataDir started without a
// file: the one saved there by the last serve (emulator.TopologyFile), if
// any, else the default.
func startTopology(dataDir string, privateDNS bool) (*vpce.Topology, error) {
	if dataDir == "" {
		return loadTopology("", privateDNS)
	}
	saved := filepath.Join(dataDir, emulator.TopologyFile)
	if _, err := os.Stat(saved); err != nil {
		return loadTopology("", privateDNS)
	}
	topo, err := loadTopology(saved, false)
	if err != nil || !privateDNS {
		return topo, err
	}
	s := topo.Spec()
	withPrivateDNS(&s)
	return vpce.Build(s)
}

// withPrivateDNS turns on private DNS for the first endpoint, and the DNS
// attributes its VPC needs for it.
func withPrivateDNS(s *vpce.Spec) {
	e := &s.Endpoints[0]
	e.PrivateDNS = true
	for i := range s.VPCs {
		if v := &s.VPCs[i]; v.ID == e.VPCID {
			v.EnableDNSSupport, v.EnableDNSHostnames = true, true
		}
	}
}

// defaultTopology is the seed's world, with private DNS on its endpoint
// when asked.
func defaultTopology(privateDNS bool) (*vpce.Topology, error) {
	s := vpce.DefaultSpec()
	if privateDNS {
		withPrivateDNS(&s)
	}
	return vpce.Build(s)
}

// helloFor describes the topology to an exec client.
func helloFor(topo *vpce.Topology, caFile string) attach.Hello {
	h := attach.Hello{
		Version: attach.Version, CAFile: caFile,
		AccessKeyID: emulator.DefaultAccessKeyID, SecretAccessKey: emulator.DefaultSecretAccessKey,
	}
	for _, v := range topo.VPCs() {
		h.Resolvers = append(h.Resolvers, v.ResolverIP())
	}
	for _, e := range topo.Endpoints() {
		h.Addrs = append(h.Addrs, e.IPs()...)
		if h.Region == "" {
			h.Region = e.Region
		}
	}
	h.SearchDomain = searchDomain(h.Region)
	return h
}

// searchDomain is the VPC's default DHCP search domain.
func searchDomain(region string) string {
	if region == "us-east-1" {
		return "ec2.internal"
	}
	return region + ".compute.internal"
}

// durationOrOff parses a positive duration, or "off" (-1: none).
func durationOrOff(d *time.Duration) func(string) error {
	return func(v string) error {
		if v == "off" {
			*d = -1
			return nil
		}
		x, err := time.ParseDuration(v)
		if err != nil || x <= 0 {
			return fmt.Errorf("want a positive duration such as 30s, or off")
		}
		*d = x
		return nil
	}
}

// countOrOff parses a positive count, or "off" (-1: no limit).
func countOrOff(n *int) func(string) error {
	return func(v string) error {
		if v == "off" {
			*n = -1
			return nil
		}
		x, err := strconv.Atoi(v)
		if err != nil || x <= 0 {
			return fmt.Errorf("want a positive number, or off")
		}
		*n = x
		return nil
	}
}

func parseUpstream(v string) ([]string, error) {
	switch v {
	case "", "none":
		return nil, nil
	case "resolv.conf":
		return dnsserver.UpstreamsFromResolvConf("/etc/resolv.conf")
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

func newLogger(w io.Writer, format string, verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
