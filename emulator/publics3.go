package emulator

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/s3vpce/s3vpce/certs"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/internal/vpcnet"
	"github.com/s3vpce/s3vpce/policy"
)

// DefaultGatewayEndpointPolicy is the policy AWS attaches to an S3 gateway
// endpoint when none is given (testdata/policies/default-gateway-endpoint.json).
const DefaultGatewayEndpointPolicy = `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Sid":"","Principal":"*","Action":"*","Resource":"*"}]}`

// publicS3 is the part of a snapshot that serves public S3: each region's
// names and addresses with a certificate for them, and the compiled
// policies of the gateway endpoints.
type publicS3 struct {
	byAddr   map[netip.Addr]*publicRegion
	regions  []*publicRegion
	gateways map[string]*policy.Policy // by gateway endpoint ID
	docs     map[string]string         // the documents they were compiled from
}

// publicRegion is one region's public S3.
type publicRegion struct {
	vpce.PublicS3
	cert *tls.Certificate // the names and their "*." children
}

// newPublicS3 builds the public S3 part of a snapshot for topo, reusing
// prev's certificates and compiled policies where nothing changed.
func newPublicS3(topo *vpce.Topology, ca *certs.CA, prev *publicS3) (*publicS3, error) {
	if prev == nil {
		prev = &publicS3{}
	}
	p := &publicS3{byAddr: map[netip.Addr]*publicRegion{}, gateways: map[string]*policy.Policy{}, docs: map[string]string{}}
	for _, r := range vpce.PublicS3Regions(topo) {
		pr := &publicRegion{PublicS3: vpce.PublicS3For(r)}
		var sans []string
		for _, n := range pr.Names {
			sans = append(sans, n, "*."+n)
		}
		for _, old := range prev.regions {
			if old.Region == r && slices.Equal(old.cert.Leaf.DNSNames, sans) {
				pr.cert = old.cert
			}
		}
		if pr.cert == nil {
			c, err := ca.Issue(sans...)
			if err != nil {
				return nil, fmt.Errorf("emulator: certificate for public S3 in %s: %w", r, err)
			}
			pr.cert = &c
		}
		p.regions = append(p.regions, pr)
		for _, a := range pr.Addrs {
			p.byAddr[a] = pr
		}
	}
	for _, g := range topo.GatewayEndpoints() {
		doc := g.Policy
		if doc == "" {
			doc = DefaultGatewayEndpointPolicy
		}
		if pol, ok := prev.gateways[g.ID]; ok && prev.docs[g.ID] == doc {
			p.gateways[g.ID] = pol
		} else {
			pol, err := policy.Parse([]byte(doc), policy.WithKind(policy.KindGatewayEndpoint))
			if err != nil {
				return nil, fmt.Errorf("emulator: gateway endpoint %s: policy: %w", g.ID, err)
			}
			p.gateways[g.ID] = pol
		}
		p.docs[g.ID] = doc
	}
	return p, nil
}

// certificate is the public S3 certificate for a connection accepted on
// local, nil when local is no public S3 address.
func (p *publicS3) certificate(hello *tls.ClientHelloInfo) *tls.Certificate {
	if p == nil || hello.Conn == nil {
		return nil
	}
	if pr, ok := p.byAddr[addrPortOf(hello.Conn.LocalAddr()).Addr()]; ok {
		return pr.cert
	}
	return nil
}

// at reports the region whose public S3 the request's connection reached.
func (p *publicS3) at(r *http.Request) (*publicRegion, netip.AddrPort, bool) {
	if p == nil || len(p.byAddr) == 0 {
		return nil, netip.AddrPort{}, false
	}
	local := localAddr(r)
	pr, ok := p.byAddr[local.Addr()]
	return pr, local, ok
}

// publicHost is a classified public S3 Host.
type publicHost struct {
	name   string // lower case, no port or trailing dot
	region string
	bucket string // virtual-hosted requests only
}

// parsePublicHost classifies a Host sent to public S3 at pr: one of the
// public names of a region (path style), a child of one (virtual-hosted:
// the bucket), or an address literal (path style, pr's region).
func (p *publicS3) parsePublicHost(hostport string, pr *publicRegion) (publicHost, bool) {
	name := strings.TrimSuffix(strings.ToLower(vpce.SplitHostPort(hostport)), ".")
	if a, err := netip.ParseAddr(name); err == nil && a.IsValid() {
		return publicHost{name: name, region: pr.Region}, true
	}
	for _, reg := range p.regions {
		for _, n := range reg.Names {
			if name == n {
				return publicHost{name: name, region: reg.Region}, true
			}
			if b, ok := strings.CutSuffix(name, "."+n); ok && b != "" {
				return publicHost{name: name, region: reg.Region, bucket: b}, true
			}
		}
	}
	return publicHost{}, false
}

// gatePublic is gate for a request to public S3 at pr (its connection's
// local address is one of pr's): the Host is a public name, the way the
// request came (vpcnet: a gateway endpoint's prefix-list route or an
// internet gateway) decides its policy context and endpoint policy.
func (s *Server) gatePublic(r *http.Request, snap *snapshot, rec *DecisionRecord, now time.Time, pr *publicRegion, local netip.AddrPort) *s3err.Error {
	ph, ok := snap.pub.parsePublicHost(r.Host, pr)
	if !ok {
		var names []string
		for _, reg := range snap.pub.regions {
			names = append(names, reg.Names...)
		}
		return &s3err.Error{Status: http.StatusBadRequest, Code: "InvalidRequest",
			Message: fmt.Sprintf("The host %q is not a name of public S3 (%s is S3's public address in %s): use one of %s, or <bucket>. before one.",
				r.Host, local.Addr(), pr.Region, strings.Join(names, ", "))}
	}
	o, serr := s.publicOrigin(r, snap, rec, ph.region, local)
	rec.org = o
	if serr != nil {
		return serr
	}
	if !utf8.ValidString(r.URL.Path) {
		return &s3err.Error{Status: http.StatusBadRequest, Code: "InvalidURI", Message: "Couldn't parse the specified URI."}
	}
	q := r.URL.Query()
	routePublic := func() {
		if ph.bucket != "" {
			r.URL.Path = "/" + ph.bucket + r.URL.Path
			if r.URL.RawPath != "" {
				r.URL.RawPath = "/" + ph.bucket + r.URL.RawPath
			}
		}
		r.Host = ph.name
	}
	if s.gateOff {
		routePublic()
		rec.caller = caller{principal: s.creds[s.defaultKey].principal}
		rec.target = parseTarget(r, q)
		rec.Operation = rec.target.op
		return nil
	}
	region := ph.region
	if ph.bucket == "" && strings.Trim(r.URL.Path, "/") == "" && r.Method == http.MethodGet {
		// ListBuckets answers on every region's public name, whatever
		// region the client signed for.
		region = ""
	}
	c, serr := s.authenticateIn(r, q, region, now)
	if serr != nil {
		return serr
	}
	rec.caller = c
	rec.Principal = principalName(c.principal)
	routePublic()
	t := parseTarget(r, q)
	rec.Operation, rec.target = t.op, t
	checks, serr := s.authorizeFrom(r, o, c, t, now)
	rec.Checks = checks
	return serr
}

// publicOrigin decides how a public S3 request came: from an instance of
// the topology, by the path vpcnet.Decide gives its flow (a gateway
// endpoint or an internet gateway); from anything else (a client on the
// host), as from the internet with its own address as aws:SourceIp.
func (s *Server) publicOrigin(r *http.Request, snap *snapshot, rec *DecisionRecord, region string, local netip.AddrPort) (origin, *s3err.Error) {
	topo := snap.topo
	owner := topo.Account()
	if owner == "" {
		owner = DefaultAccountID
	}
	o := origin{set: true, region: region, owner: owner, audit: auditing(snap)}
	src := remoteAddr(r)
	inst, ok := topo.InstanceAt(src)
	if !ok {
		o.sourceIP = src.String()
		rec.Path, rec.Source = "internet", src.String()
		return o, nil
	}
	rec.Source = instanceSource(inst)
	v := vpcnet.Decide(topo, inst, vpcnet.Flow{Proto: vpce.ProtocolTCP, Dst: local.Addr(), Port: int(local.Port())})
	switch {
	case v.Allowed && strings.HasPrefix(v.Via, "vpce-"):
		g, ok := topo.GatewayEndpoint(v.Via)
		if !ok {
			break
		}
		rec.Path, rec.Endpoint = "gateway endpoint "+g.ID, g.ID
		o.endpointID, o.vpcID, o.vpcSourceIP = g.ID, g.VPCID, inst.PrivateIP.String()
		o.endpointPolicy, o.policyKind = snap.pub.gateways[g.ID], policy.KindGatewayEndpoint
		return o, nil
	case v.Allowed && strings.HasPrefix(v.Via, "igw-") && inst.PublicIP.IsValid():
		rec.Path = "internet gateway " + v.Via
		rec.Source += " as " + inst.PublicIP.String()
		o.sourceIP = inst.PublicIP.String()
		return o, nil
	}
	// The connection should not have reached S3 (the topology changed
	// under an open connection): S3 never sees such a request.
	reason := v.Reason
	if reason == "" {
		reason = "no route to public S3 (via " + v.Via + ")"
	}
	rec.Path = "none: " + reason
	return o, &s3err.Error{Status: http.StatusForbidden, Code: "AccessDenied",
		Message: "Access Denied (s3vpce: " + reason + ")"}
}
