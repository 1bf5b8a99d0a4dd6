package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/s3vpce/s3vpce/certs"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/attach"
	"github.com/s3vpce/s3vpce/internal/netns"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

func runExec(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("s3vpce exec", flag.ContinueOnError)
	fs.SetOutput(stderr)
	home := fs.String("home", "", "state directory (as for serve); a serve running there is shared")
	keepAWS := fs.Bool("keep-aws-env", false, "keep the caller's AWS credentials instead of setting the emulator's")
	privateDNS := fs.Bool("private-dns", false, "when no serve is running: enable private DNS for the emulator started for the command")
	topoFile := fs.String("topology", "", "when no serve is running: the topology file for the emulator started for the command")
	caEnv := fs.String("ca-env", caEnvDefault, "CA variables for the command: default, none or all (see above)")
	instanceRef := fs.String("instance", "", "run COMMAND as this instance of the topology: its ID, Name tag or private IP (needs root; see above)")
	own := storeFlags{}
	fs.StringVar(&own.kind, "store", "memory", `when no serve is running: where the emulator started for the command keeps buckets and objects, "memory" or "dir" (see serve)`)
	fs.StringVar(&own.dir, "data", "", "when no serve is running, with --store dir: the store's directory (default <home>/data)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, `usage: s3vpce exec [flags] -- COMMAND [ARG...]

Run COMMAND in a private network, mount and PID namespace where the endpoint
names resolve, through the VPC resolver address, to the endpoint's private
IPs, and port 443 there reaches the emulator. Nothing on the host changes. If
"s3vpce serve" is running (same --home), its buckets and CA are shared;
otherwise an emulator runs for the command's lifetime. While COMMAND runs,
the namespace follows the emulator's topology: the addresses of endpoints
and VPCs created later appear, those of deleted ones go.

The emulator's CA is trusted inside the namespace the way mkcert trusts one
on a host: the system CA bundles (/etc/ssl/certs/ca-certificates.crt and
the other distributions' paths) and /etc/ssl/certs show the host's CAs plus
ours, in the namespace's mount namespace only; so do the certifi bundles of
the Python installations on PATH and pyenv's (pip's aws CLI v1, boto3,
requests). Go, curl, OpenSSL, Python, the aws CLIs, s3cmd and rclone trust
it without any variable. For the clients that keep their own store,
--ca-env chooses the variables the command gets:
  default  NODE_EXTRA_CA_CERTS (Node) and JAVA_TOOL_OPTIONS with a PKCS#12
           trust store of the system CAs and ours (Java) are set; the
           caller's AWS_CA_BUNDLE, SSL_CERT_FILE, REQUESTS_CA_BUNDLE and
           CURL_CA_BUNDLE are removed (AWS_CA_BUNDLE breaks rclone)
  none     no CA variable is set or removed
  all      default, plus AWS_CA_BUNDLE, SSL_CERT_FILE, REQUESTS_CA_BUNDLE
           and CURL_CA_BUNDLE set to the CA
The command also gets the emulator's credentials.

With --instance NAME|ID|IP, COMMAND runs as that EC2 instance instead (as
root): in a network namespace of its own whose eth0 has the instance's
private IP, behind a router namespace that holds every endpoint address,
VPC resolver and public S3 address (HTTPS on 443, plain HTTP on 80, DNS on
53). What the instance can reach follows its security groups and route
tables, in an nftables filter there: a refused SYN is dropped, as in AWS.
Its host name is ip-A-B-C-D and its resolv.conf names its own VPC's
resolver. Security group, route and gateway changes apply while it runs.

SIGTERM, SIGINT, SIGHUP and SIGQUIT sent to exec are relayed to COMMAND (in
a terminal, only SIGTERM: the terminal's own signals reach it directly), and
exec exits with COMMAND's status. When exec ends, even killed by SIGKILL,
COMMAND and everything it started are killed.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	command := fs.Args()
	if len(command) == 0 {
		fs.Usage()
		return 2
	}
	if !validCAEnv(*caEnv) {
		fmt.Fprintf(stderr, "s3vpce exec: --ca-env %q: want default, none or all\n", *caEnv)
		return 2
	}
	if *instanceRef != "" && !isRoot() {
		fmt.Fprintf(stderr, "s3vpce exec: %v\n", errInstanceNeedsRoot)
		return 125
	}
	dir, err := stateDir(*home)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce exec: %v\n", err)
		return 125
	}

	var hello attach.Hello
	var serveOn func(*netns.Sockets) error
	// topo is the topology the instance is found in (--instance only).
	var topo *vpce.Topology
	var im *instanceMode
	// follow keeps the namespace's addresses those of the topology, which
	// may change while the command runs, until ctx ends; it calls applied
	// once it has applied the first.
	var follow func(ctx context.Context, cmd *netns.Cmd, applied func())
	sock := filepath.Join(dir, attach.SocketName)
	if cl, err := attach.Dial(ctx, sock); err == nil {
		defer cl.Close()
		hello, serveOn = cl.Hello, cl.Attach
		fetch := func(fctx context.Context) (*vpce.Topology, error) { return fetchTopology(fctx, *home) }
		follow = func(fctx context.Context, cmd *netns.Cmd, applied func()) {
			followServe(fctx, cl, cmd, applied, im, fetch, stderr)
		}
		if hello.Version < 2 { // an older serve: it tells no changes
			follow = func(_ context.Context, _ *netns.Cmd, applied func()) { applied() }
		}
		if *instanceRef != "" {
			if topo, err = fetch(ctx); err != nil {
				fmt.Fprintf(stderr, "s3vpce exec: %v\n", err)
				return 125
			}
			if !cl.ServesHTTP() {
				fmt.Fprintf(stderr, "s3vpce exec: the running serve (protocol version %d) serves no plain HTTP and tells no security group or route change: restart it\n", hello.Version)
			}
		}
	} else if errors.Is(err, os.ErrPermission) {
		fmt.Fprintf(stderr, "s3vpce exec: %s\n", notYourServe(dir, sock, err))
		return 125
	} else {
		ca, _, err := certs.LoadOrCreate(dir)
		if err != nil {
			fmt.Fprintf(stderr, "s3vpce exec: %v\n", err)
			if errors.Is(err, os.ErrPermission) {
				fmt.Fprintf(stderr, "%s\n", notYourHome(dir))
			}
			return 125
		}
		loaded, err := loadTopology(*topoFile, *privateDNS)
		if err != nil {
			fmt.Fprintf(stderr, "s3vpce exec: %v\n", err)
			return 125
		}
		upstream, _ := parseUpstream("resolv.conf") // none if unreadable: REFUSED
		dataDir, err := own.dataDir(dir)
		if err != nil {
			fmt.Fprintf(stderr, "s3vpce exec: %v\n", err)
			return 125
		}
		srv, err := emulator.New(emulator.Options{DataDir: dataDir, Topology: loaded, CA: ca, DNSUpstream: upstream})
		if err == nil {
			if err = srv.Start(ctx); err != nil {
				srv.Close()
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "s3vpce exec: %v\n", explainStoreError(err))
			return 125
		}
		defer srv.Close()
		hello = helloFor(loaded, filepath.Join(dir, certs.CertFile))
		serveOn = func(s *netns.Sockets) error {
			_, err := attachSockets(ctx, srv, s)
			return err
		}
		follow = func(fctx context.Context, cmd *netns.Cmd, applied func()) {
			followEmulator(fctx, srv, cmd, applied, im, stderr)
		}
		topo = srv.Topology()
	}
	var place *netns.Instance
	var resolver netip.Addr
	var search string
	if *instanceRef != "" {
		if im, place, resolver, search, err = newInstanceMode(topo, *instanceRef); err != nil {
			fmt.Fprintf(stderr, "s3vpce exec: %v\n", err)
			return 125
		}
	}

	// Only the public certificate: a serve's CA key stays its own.
	caPEM, err := os.ReadFile(hello.CAFile)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce exec: read the CA certificate to trust: %v\n", err)
		if errors.Is(err, os.ErrPermission) {
			fmt.Fprintf(stderr, "%s\n", notYourHome(dir))
		}
		return 125
	}
	trust := caTrust{CAFile: hello.CAFile}
	if *caEnv != caEnvNone {
		store, cleanup, err := javaTrustStore(dir, caPEM)
		if err != nil {
			// Java is the only client that needs it: say so, go on.
			fmt.Fprintf(stderr, "s3vpce exec: no Java trust store (Java will not trust the CA): %v\n", err)
		}
		defer cleanup()
		trust.JavaTrustStore = store
	}
	cfg := netns.Config{
		Addrs: hello.Addrs, Resolvers: hello.Resolvers, SearchDomain: hello.SearchDomain,
		HTTPSPort: 443, Command: command, Env: commandEnv(os.Environ(), hello, *keepAWS, *caEnv, trust),
		UserNamespace: !isRoot(), TrustCA: caPEM,
		TrustBundles: certs.PythonBundles(pythonSearchPath(command[0]), pythonHomes()...),
	}
	if im != nil {
		set := instanceAddrs(topo, resolver)
		cfg.Addrs, cfg.Resolvers, cfg.SearchDomain = set.Addrs, set.Resolvers, search
		cfg.HTTPPort, cfg.Instance = 80, place
		if !hasEnv(os.Environ(), "AWS_ENDPOINT_URL_EC2") {
			// https://localhost is the router's, not the instance's: an
			// instance reaches the EC2 API as on AWS, at
			// ec2.<region>.amazonaws.com through an internet gateway.
			cfg.Env = withoutEnv(cfg.Env, "AWS_ENDPOINT_URL_EC2")
		}
	}
	// Caught from before the namespace exists, so that none is missed;
	// Run relays them to the command.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	cmd, err := netns.Start(ctx, cfg, stdin, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce exec: %v\n\n%s", err, fallback(dir))
		return 125
	}
	if err := serveOn(cmd.Sockets); err != nil {
		cmd.Abort()
		fmt.Fprintf(stderr, "s3vpce exec: %v\n", err)
		return 125
	}
	if im != nil {
		// The packet filter is in place before the command starts; the
		// follower below keeps it, and the addresses, up to date.
		if _, err := im.apply(ctx, topo, cmd.RouterNS(), stderr); err != nil {
			cmd.Abort()
			fmt.Fprintf(stderr, "s3vpce exec: %v\n", err)
			return 125
		}
	}
	// The first addresses are applied before the command starts: every
	// resolver then answers DNS from its first instruction.
	followCtx, stopFollowing := context.WithCancel(ctx)
	followed, applied := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(followed)
		follow(followCtx, cmd, sync.OnceFunc(func() { close(applied) }))
	}()
	select {
	case <-applied:
	case <-followed:
	}
	code, err := cmd.Run(sigs)
	stopFollowing()
	<-followed
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce exec: %v\n", err)
	}
	return code
}

// followServe keeps the namespace's addresses those of the serve exec is
// attached to: its own at once (the resolvers after the first get DNS
// sockets), then each set serve sends when its topology changes, until
// ctx ends or serve hangs up. serve gets the DNS sockets of new resolvers.
// With an instance (im), each change reads serve's topology again (fetch)
// for the instance's packet filter and addresses.
func followServe(ctx context.Context, cl *attach.Client, cmd *netns.Cmd, applied func(), im *instanceMode, fetch func(context.Context) (*vpce.Topology, error), stderr io.Writer) {
	serveDNS := func(s *netns.Sockets) error {
		defer s.Close() // serve has its own copies
		return cl.ServeDNS(s)
	}
	set := netns.AddrSet{Addrs: cl.Hello.Addrs, Resolvers: cl.Hello.Resolvers}
	for {
		if im != nil {
			set = followInstance(ctx, im, cmd, fetch, stderr)
		}
		applyAddrs(ctx, cmd, set, serveDNS, stderr)
		applied()
		var err error
		if set, err = cl.Next(ctx); err != nil {
			if ctx.Err() == nil {
				fmt.Fprintf(stderr, "s3vpce exec: the namespace no longer follows serve's topology: %v\n", err)
			}
			return
		}
	}
}

// followInstance reads the topology and applies it to the instance's
// packet filter; failures are reported on stderr. It returns the
// addresses the namespace should hold (those of the topology read last
// when it cannot be read).
func followInstance(ctx context.Context, im *instanceMode, cmd *netns.Cmd, fetch func(context.Context) (*vpce.Topology, error), stderr io.Writer) netns.AddrSet {
	topo, err := fetch(ctx)
	if err != nil {
		if ctx.Err() == nil {
			fmt.Fprintf(stderr, "s3vpce exec: follow the topology: %v\n", err)
		}
		return im.set
	}
	set, err := im.apply(ctx, topo, cmd.RouterNS(), stderr)
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "s3vpce exec: follow the topology: %v\n", err)
	}
	return set
}

// followEmulator keeps the namespace's addresses those of exec's own
// emulator's topology, after every change, and serves DNS on new resolver
// addresses, until ctx ends. With an instance (im), its packet filter too.
func followEmulator(ctx context.Context, srv *emulator.Server, cmd *netns.Cmd, applied func(), im *instanceMode, stderr io.Writer) {
	serveDNS := func(s *netns.Sockets) error {
		if err := srv.ServeDNS(ctx, s.DNSUDP, s.DNSTCP); err != nil {
			s.Close()
			return err
		}
		return nil
	}
	srv.WatchTopology(ctx, func(topo *vpce.Topology) {
		h := helloFor(topo, "")
		set := netns.AddrSet{Addrs: h.Addrs, Resolvers: h.Resolvers}
		if im != nil {
			set = followInstance(ctx, im, cmd, func(context.Context) (*vpce.Topology, error) { return topo, nil }, stderr)
		}
		applyAddrs(ctx, cmd, set, serveDNS, stderr)
		applied()
	})
}

// applyAddrs makes the namespace hold set and has serveDNS serve the DNS
// sockets of resolvers that had none; failures are reported on stderr.
func applyAddrs(ctx context.Context, cmd *netns.Cmd, set netns.AddrSet, serveDNS func(*netns.Sockets) error, stderr io.Writer) {
	socks, err := cmd.Update(ctx, set)
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "s3vpce exec: follow the topology: %v\n", err)
	}
	for _, s := range socks {
		addr := s.DNSTCP.Addr().String()
		if err := serveDNS(s); err != nil {
			fmt.Fprintf(stderr, "s3vpce exec: no DNS on %s: %v\n", addr, err)
		}
	}
}

// commandEnv is the environment of the command: the caller's, with the CA
// variables that caEnv asks for (see caEnvVars) and, unless keepAWS, the
// emulator's credentials instead of any real ones.
func commandEnv(env []string, h attach.Hello, keepAWS bool, caEnv string, trust caTrust) []string {
	set, drop := caEnvVars(env, caEnv, trust)
	if !keepAWS {
		set["AWS_ACCESS_KEY_ID"] = h.AccessKeyID
		set["AWS_SECRET_ACCESS_KEY"] = h.SecretAccessKey
		for _, k := range []string{"AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"} {
			drop[k] = true
		}
	}
	hasRegion := false
	out := make([]string, 0, len(env)+len(set))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; ok || drop[k] {
			continue
		}
		if k == "AWS_DEFAULT_REGION" || k == "AWS_REGION" {
			hasRegion = true
		}
		out = append(out, kv)
	}
	if !hasRegion && h.Region != "" {
		set["AWS_DEFAULT_REGION"] = h.Region
	}
	if !keepAWS && !hasEnv(env, "AWS_ENDPOINT_URL_EC2") {
		// The EC2 API answers on the namespace's port 443 too, and its
		// certificate covers localhost (SDKs and aws CLI v2.13+ read it).
		set["AWS_ENDPOINT_URL_EC2"] = "https://localhost"
	}
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	return out
}

// hasEnv reports whether env sets key.
func hasEnv(env []string, key string) bool {
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			return true
		}
	}
	return false
}

// fallback tells a user without namespaces how to get the same from the host.
func fallback(dir string) string {
	e := vpce.DefaultEndpoint()
	return fmt.Sprintf(`Network namespaces are unavailable here (%s).
Without them, run "s3vpce serve" and reach it through its port and an /etc/hosts line:
  echo '127.0.0.1 bucket.%s' | sudo tee -a /etc/hosts
  export AWS_CA_BUNDLE=%s AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s
  aws --endpoint-url %s s3 ls
`, netns.Hint(), e.RegionalName(), filepath.Join(dir, certs.CertFile), emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, e.BucketURL("", 4443))
}
