package vpce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
)

// topologyFile is the JSON form of a Topology (see testdata/topology.json).
type topologyFile struct {
	VPCs      []vpcFile      `json:"vpcs"`
	Endpoints []endpointFile `json:"endpoints"`
}

type vpcFile struct {
	ID                  string `json:"id"`
	CIDR                string `json:"cidr"`
	S3GatewayEndpointID string `json:"s3_gateway_endpoint,omitempty"`
}

type endpointFile struct {
	ID                                       string          `json:"id"`
	DNSSuffix                                string          `json:"dns_suffix"`
	Region                                   string          `json:"region"`
	VPC                                      string          `json:"vpc"`
	Owner                                    string          `json:"owner,omitempty"`
	PrivateDNS                               bool            `json:"private_dns,omitempty"`
	PrivateDNSOnlyForInboundResolverEndpoint bool            `json:"private_dns_only_for_inbound_resolver_endpoint,omitempty"`
	Zones                                    []zoneFile      `json:"zones"`
	Policy                                   json.RawMessage `json:"policy,omitempty"`
}

type zoneFile struct {
	Name string `json:"name"`
	IP   string `json:"ip"`
}

// ParseTopology reads a topology from its JSON form: strict (unknown fields
// are errors), with errors that name the field (and, for JSON errors, the
// line and column).
func ParseTopology(data []byte) (*Topology, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f topologyFile
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(data, dec, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("vpce: topology: %s: data after the top-level object", position(data, dec.InputOffset()))
	}
	vpcs := make([]VPC, 0, len(f.VPCs))
	for i, v := range f.VPCs {
		p, err := netip.ParsePrefix(v.CIDR)
		if err != nil {
			return nil, fmt.Errorf("vpce: topology: vpcs[%d].cidr %q: %v", i, v.CIDR, err)
		}
		vpcs = append(vpcs, VPC{ID: v.ID, CIDR: p, S3GatewayEndpointID: v.S3GatewayEndpointID})
	}
	eps := make([]Endpoint, 0, len(f.Endpoints))
	for i, e := range f.Endpoints {
		ep := Endpoint{ID: e.ID, DNSSuffix: e.DNSSuffix, Region: e.Region, VPCID: e.VPC, OwnerID: e.Owner,
			PrivateDNS: e.PrivateDNS, PrivateDNSOnlyForInboundResolverEndpoint: e.PrivateDNSOnlyForInboundResolverEndpoint}
		for j, z := range e.Zones {
			ip, err := netip.ParseAddr(z.IP)
			if err != nil {
				return nil, fmt.Errorf("vpce: topology: endpoints[%d].zones[%d].ip %q: %v", i, j, z.IP, err)
			}
			ep.Zones = append(ep.Zones, Zone{Name: z.Name, IP: ip})
		}
		if len(e.Policy) > 0 && string(e.Policy) != "null" {
			if e.Policy[0] != '{' {
				return nil, fmt.Errorf("vpce: topology: endpoints[%d].policy: want a policy document (a JSON object)", i)
			}
			ep.Policy = string(e.Policy)
		}
		eps = append(eps, ep)
	}
	if len(eps) == 0 {
		return nil, errors.New("vpce: topology: endpoints: at least one endpoint is needed")
	}
	t, err := NewTopology(vpcs, eps)
	if err != nil {
		return nil, fmt.Errorf("vpce: topology: %w", err)
	}
	return t, nil
}

// MarshalTopology writes t in the JSON form ParseTopology reads.
func MarshalTopology(t *Topology) ([]byte, error) {
	var f topologyFile
	for _, v := range t.VPCs() {
		f.VPCs = append(f.VPCs, vpcFile{ID: v.ID, CIDR: v.CIDR.String(), S3GatewayEndpointID: v.S3GatewayEndpointID})
	}
	for _, e := range t.Endpoints() {
		ef := endpointFile{ID: e.ID, DNSSuffix: e.DNSSuffix, Region: e.Region, VPC: e.VPCID, Owner: e.OwnerID,
			PrivateDNS: e.PrivateDNS, PrivateDNSOnlyForInboundResolverEndpoint: e.PrivateDNSOnlyForInboundResolverEndpoint}
		for _, z := range e.Zones {
			ef.Zones = append(ef.Zones, zoneFile{Name: z.Name, IP: z.IP.String()})
		}
		if e.Policy != "" {
			ef.Policy = json.RawMessage(e.Policy)
		}
		f.Endpoints = append(f.Endpoints, ef)
	}
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("vpce: topology: %w", err)
	}
	return append(out, '\n'), nil
}

// jsonError locates a decoding error in data.
func jsonError(data []byte, dec *json.Decoder, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("vpce: topology: %s: %v", position(data, syn.Offset), err)
	case errors.As(err, &typ):
		return fmt.Errorf("vpce: topology: %s: field %s: want %s, got JSON %s", position(data, typ.Offset), typ.Field, typ.Type, typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return fmt.Errorf("vpce: topology: %s: %s", position(data, dec.InputOffset()), strings.TrimPrefix(err.Error(), "json: "))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("vpce: topology: unexpected end of the document")
	}
	return fmt.Errorf("vpce: topology: %v", err)
}

// position renders a byte offset as "line L, column C".
func position(data []byte, off int64) string {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}
