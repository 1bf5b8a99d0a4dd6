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
	policies map[string]*policy.Policy   // compiled endpoint policies, by endpoint ID
}

// DefaultEndpointPolicy is the policy AWS attaches to an interface endpoint
// when none is given: full access.
const DefaultEndpointPolicy = `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`

// newSnapshot compiles topo. Certificates of prev whose names are
// unchanged are reused, so a policy change does not re-issue them.
func newSnapshot(topo *vpce.Topology, ca *certs.CA, prev *snapshot) (*snapshot, error) {
	s := &snapshot{topo: topo, certs: make(map[string]*tls.Certificate), policies: make(map[string]*policy.Policy)}
	for _, e := range topo.Endpoints() {
		doc := e.Policy
		if doc == "" {
			doc = DefaultEndpointPolicy
		}
		p, err := policy.Parse([]byte(doc), policy.WithKind(policy.KindEndpoint))
		if err != nil {
			return nil, fmt.Errorf("emulator: endpoint %s: policy: %w", e.ID, err)
		}
		s.policies[e.ID] = p
		sans := e.SANs()
		var c *tls.Certificate
		if prev != nil {
			if old := prev.certs[e.ID]; old != nil && slices.Equal(old.Leaf.DNSNames, sans) {
				c = old
			}
		}
		if c == nil {
			issued, err := ca.Issue(sans...)
			if err != nil {
				return nil, fmt.Errorf("emulator: certificate for %s: %w", e.ID, err)
			}
			c = &issued
		}
		s.certs[e.ID] = c
		if s.first == nil {
			s.first = c
		}
	}
	if s.first == nil {
		return nil, fmt.Errorf("emulator: the topology has no endpoints")
	}
	return s, nil
}

// certificate picks the leaf for a TLS ClientHello's server name: the named
// endpoint's certificate, including for names no SAN covers (such as the
// bare endpoint name, so that clients fail exactly as against AWS), and the
// first endpoint's for anything else.
func (s *snapshot) certificate(serverName string) *tls.Certificate {
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
