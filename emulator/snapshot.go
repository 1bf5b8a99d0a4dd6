package emulator

import (
	"crypto/tls"
	"fmt"
	"slices"

	"github.com/s3vpce/s3vpce/certs"
	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/policy"
)

// snapshot is everything the request path reads, built once per topology
// change and swapped in atomically: the topology and a certificate per
// endpoint.
type snapshot struct {
	topo     *vpce.Topology
	certs    map[string]*tls.Certificate // by endpoint ID
	first    *tls.Certificate            // for SNI that names no endpoint
	api      *tls.Certificate            // for the EC2 API: localhost, ec2.<region>.amazonaws.com
	policies map[string]*policy.Policy   // compiled endpoint policies, by endpoint ID
	docs     map[string]string           // the documents they were compiled from
	pub      *publicS3                   // public S3: addresses, certificates, gateway endpoint policies
}

// DefaultEndpointPolicy is the policy AWS attaches to an interface endpoint
// when none is given: full access.
const DefaultEndpointPolicy = `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`

// newSnapshot compiles topo. Certificates and compiled policies of prev
// whose names and documents are unchanged are reused, so that a change to
// one endpoint costs the same with one endpoint or a thousand.
func newSnapshot(topo *vpce.Topology, ca *certs.CA, prev *snapshot) (*snapshot, error) {
	n := len(topo.Endpoints())
	s := &snapshot{topo: topo, certs: make(map[string]*tls.Certificate, n),
		policies: make(map[string]*policy.Policy, n), docs: make(map[string]string, n)}
	if prev == nil {
		prev = &snapshot{}
	}
	issue := func(old *tls.Certificate, sans []string) (*tls.Certificate, error) {
		if old != nil && slices.Equal(old.Leaf.DNSNames, sans) {
			return old, nil
		}
		c, err := ca.Issue(sans...)
		return &c, err
	}
	regions := []string{vpce.DefaultRegion}
	for _, e := range topo.Endpoints() {
		doc := e.Policy
		if doc == "" {
			doc = DefaultEndpointPolicy
		}
		if p, ok := prev.policies[e.ID]; ok && prev.docs[e.ID] == doc {
			s.policies[e.ID] = p
		} else {
			p, err := policy.Parse([]byte(doc), policy.WithKind(policy.KindEndpoint))
			if err != nil {
				return nil, fmt.Errorf("emulator: endpoint %s: policy: %w", e.ID, err)
			}
			s.policies[e.ID] = p
		}
		s.docs[e.ID] = doc
		c, err := issue(prev.certs[e.ID], e.SANs())
		if err != nil {
			return nil, fmt.Errorf("emulator: certificate for %s: %w", e.ID, err)
		}
		s.certs[e.ID] = c
		if s.first == nil {
			s.first = c
		}
		if !slices.Contains(regions, e.Region) {
			regions = append(regions, e.Region)
		}
	}
	if s.first == nil {
		return nil, fmt.Errorf("emulator: the topology has no interface endpoints")
	}
	apiNames := []string{"localhost"}
	for _, r := range regions {
		apiNames = append(apiNames, "ec2."+r+".amazonaws.com")
	}
	api, err := issue(prev.api, apiNames)
	if err != nil {
		return nil, fmt.Errorf("emulator: certificate for the EC2 API: %w", err)
	}
	s.api = api
	if s.pub, err = newPublicS3(topo, ca, prev.pub); err != nil {
		return nil, err
	}
	return s, nil
}

// certificate picks the leaf for a TLS ClientHello's server name: the named
// endpoint's certificate, including for names no SAN covers (such as the
// bare endpoint name, so that clients fail exactly as against AWS), and the
// first endpoint's for anything else; the EC2 API's names get the API's.
func (s *snapshot) certificate(serverName string) *tls.Certificate {
	if ec2Host(serverName) != hostOther {
		return s.api
	}
	if h, err := vpce.ParseHost(serverName); err == nil {
		if c, ok := s.certs[h.EndpointID]; ok {
			return c
		}
		if h.Surface.Private() {
			if _, e, err := s.topo.Resolve(serverName); err == nil {
				return s.certs[e.ID]
			}
		}
	}
	return s.first
}
