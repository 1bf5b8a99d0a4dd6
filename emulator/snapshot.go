package emulator

import (
	"crypto/tls"
	"fmt"

	"github.com/s3vpce/s3vpce/certs"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// snapshot is everything the request path reads, built once per topology
// change and swapped in atomically: the topology and a certificate per
// endpoint.
type snapshot struct {
	topo  *vpce.Topology
	certs map[string]*tls.Certificate // by endpoint ID
	first *tls.Certificate            // for SNI that names no endpoint
}

func newSnapshot(topo *vpce.Topology, ca *certs.CA) (*snapshot, error) {
	s := &snapshot{topo: topo, certs: make(map[string]*tls.Certificate)}
	for _, e := range topo.Endpoints() {
		c, err := ca.Issue(e.SANs()...)
		if err != nil {
			return nil, fmt.Errorf("emulator: certificate for %s: %w", e.ID, err)
		}
		s.certs[e.ID] = &c
		if s.first == nil {
			s.first = &c
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
