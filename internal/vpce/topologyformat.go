package vpce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/s3vpce/s3vpce/internal/jsonloc"
)

// topologyFile is the JSON form of a Topology (see testdata/topology.json):
// a Spec with IDs as strings, tags as objects and EC2's defaults left out.
type topologyFile struct {
	Account          string           `json:"account,omitempty"`
	VPCs             []vpcFile        `json:"vpcs"`
	Subnets          []subnetFile     `json:"subnets,omitempty"`
	SecurityGroups   []groupFile      `json:"security_groups,omitempty"`
	RouteTables      []routeTableFile `json:"route_tables,omitempty"`
	InternetGateways []igwFile        `json:"internet_gateways,omitempty"`
	Peerings         []peeringFile    `json:"peerings,omitempty"`
	Instances        []instanceFile   `json:"instances,omitempty"`
	GatewayEndpoints []gatewayFile    `json:"gateway_endpoints,omitempty"`
	Endpoints        []endpointFile   `json:"endpoints"`
	// PolicyMode is "audit" or "enforce"; left out, enforce.
	PolicyMode string `json:"policy_mode,omitempty"`
}

type tagsFile map[string]string

type vpcFile struct {
	ID                 string   `json:"id"`
	CIDR               string   `json:"cidr"`
	IsDefault          bool     `json:"is_default,omitempty"`
	EnableDNSSupport   *bool    `json:"enable_dns_support,omitempty"`
	EnableDNSHostnames *bool    `json:"enable_dns_hostnames,omitempty"`
	Tags               tagsFile `json:"tags,omitempty"`
	// S3GatewayEndpointID is the short form of a gateway endpoint with no
	// route tables (the format before gateway_endpoints).
	S3GatewayEndpointID string `json:"s3_gateway_endpoint,omitempty"`
}

type subnetFile struct {
	ID   string   `json:"id"`
	VPC  string   `json:"vpc"`
	CIDR string   `json:"cidr"`
	AZ   string   `json:"az"`
	Tags tagsFile `json:"tags,omitempty"`
}

type ruleFile struct {
	Protocol    string   `json:"protocol"`
	FromPort    *int     `json:"from_port,omitempty"`
	ToPort      *int     `json:"to_port,omitempty"`
	CIDRs       []string `json:"cidrs,omitempty"`
	Groups      []string `json:"groups,omitempty"`
	Description string   `json:"description,omitempty"`
}

type groupFile struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	VPC         string     `json:"vpc"`
	Ingress     []ruleFile `json:"ingress,omitempty"`
	Egress      []ruleFile `json:"egress,omitempty"`
	Tags        tagsFile   `json:"tags,omitempty"`
}

type routeFile struct {
	Destination string `json:"destination"`
	Target      string `json:"target"`
}

type routeTableFile struct {
	ID      string      `json:"id"`
	VPC     string      `json:"vpc"`
	Main    bool        `json:"main,omitempty"`
	Subnets []string    `json:"subnets,omitempty"`
	Routes  []routeFile `json:"routes,omitempty"`
	Tags    tagsFile    `json:"tags,omitempty"`
}

type igwFile struct {
	ID   string   `json:"id"`
	VPC  string   `json:"vpc,omitempty"`
	Tags tagsFile `json:"tags,omitempty"`
}

type peeringFile struct {
	ID           string   `json:"id"`
	RequesterVPC string   `json:"requester_vpc"`
	AccepterVPC  string   `json:"accepter_vpc"`
	Tags         tagsFile `json:"tags,omitempty"`
}

type instanceFile struct {
	ID             string   `json:"id"`
	Subnet         string   `json:"subnet"`
	IP             string   `json:"ip"`
	PublicIP       string   `json:"public_ip,omitempty"`
	SecurityGroups []string `json:"security_groups,omitempty"`
	Tags           tagsFile `json:"tags,omitempty"`
}

type gatewayFile struct {
	ID          string          `json:"id"`
	VPC         string          `json:"vpc"`
	Region      string          `json:"region"`
	RouteTables []string        `json:"route_tables,omitempty"`
	Policy      json.RawMessage `json:"policy,omitempty"`
	Tags        tagsFile        `json:"tags,omitempty"`
	Created     string          `json:"created,omitempty"`
	State       string          `json:"state,omitempty"`
	ClientToken string          `json:"client_token,omitempty"`
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
	SecurityGroups                           []string        `json:"security_groups,omitempty"`
	IPAddressType                            string          `json:"ip_address_type,omitempty"`
	Policy                                   json.RawMessage `json:"policy,omitempty"`
	Tags                                     tagsFile        `json:"tags,omitempty"`
	Created                                  string          `json:"created,omitempty"`
	State                                    string          `json:"state,omitempty"`
	ClientToken                              string          `json:"client_token,omitempty"`
}

type zoneFile struct {
	Name   string `json:"name"`
	IP     string `json:"ip"`
	Subnet string `json:"subnet,omitempty"`
	ENI    string `json:"eni,omitempty"`
}

// ParseTopology reads a topology from its JSON form: strict (unknown fields
// are errors), every cross-reference checked (Build). Every error is a
// *TopologyError naming the field path, the line and the column. IDs left
// out are generated in EC2's formats, and a DNS suffix left out is a new
// random one; "enable_dns_support" and "enable_dns_hostnames" default to
// true.
func ParseTopology(data []byte) (*Topology, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f topologyFile
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(data, dec, err)
	}
	if after := jsonloc.SkipSpace(data, dec.InputOffset()); after < int64(len(data)) {
		return nil, at(data, nil, "", after, "data after the top-level object")
	}
	spec, err := f.spec()
	if err == nil {
		var t *Topology
		if t, err = Build(spec); err == nil {
			return t, nil
		}
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		return nil, &TopologyError{Msg: trimVPCE(err.Error())}
	}
	loc := jsonloc.Locate(data)
	// The field itself, or the nearest enclosing value the file has (a
	// field left out, such as a generated ID, is not in the file).
	for path := fe.Path; ; {
		for _, l := range loc {
			if l.Path == path {
				e := at(data, loc, path, l.Off, fe.Msg)
				e.Path = fe.Path
				return nil, e
			}
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return nil, &TopologyError{Path: fe.Path, Msg: fe.Msg}
		}
		path = path[:i]
	}
}

// spec converts the file to a Spec, parsing addresses and times; what
// Build checks is left to Build.
func (f *topologyFile) spec() (Spec, error) {
	s := Spec{Account: f.Account, PolicyMode: PolicyMode(f.PolicyMode)}
	if len(f.Endpoints) == 0 && len(f.GatewayEndpoints) == 0 {
		return s, fieldErr("endpoints", "at least one endpoint is needed")
	}
	for i, v := range f.VPCs {
		path := fmt.Sprintf("vpcs[%d]", i)
		p, err := parsePrefix(path+".cidr", v.CIDR)
		if err != nil {
			return s, err
		}
		s.VPCs = append(s.VPCs, VPC{ID: orNewID(v.ID, PrefixVPC), CIDR: p, IsDefault: v.IsDefault,
			EnableDNSSupport: orTrue(v.EnableDNSSupport), EnableDNSHostnames: orTrue(v.EnableDNSHostnames), Tags: v.Tags.tags()})
		if v.S3GatewayEndpointID != "" {
			region := DefaultRegion
			for _, e := range f.Endpoints {
				if e.VPC == v.ID {
					region = e.Region
					break
				}
			}
			s.GatewayEndpoints = append(s.GatewayEndpoints, GatewayEndpoint{ID: v.S3GatewayEndpointID, VPCID: v.ID, Region: region, State: "available"})
		}
	}
	for i, sub := range f.Subnets {
		p, err := parsePrefix(fmt.Sprintf("subnets[%d].cidr", i), sub.CIDR)
		if err != nil {
			return s, err
		}
		s.Subnets = append(s.Subnets, Subnet{ID: orNewID(sub.ID, PrefixSubnet), VPCID: sub.VPC, CIDR: p, AZ: sub.AZ, Tags: sub.Tags.tags()})
	}
	for i, g := range f.SecurityGroups {
		path := fmt.Sprintf("security_groups[%d]", i)
		sg := SecurityGroup{ID: orNewID(g.ID, PrefixGroup), Name: g.Name, Description: g.Description, VPCID: g.VPC, Tags: g.Tags.tags()}
		for j, r := range g.Ingress {
			rule, err := r.rule(fmt.Sprintf("%s.ingress[%d]", path, j))
			if err != nil {
				return s, err
			}
			sg.Ingress = append(sg.Ingress, rule)
		}
		for j, r := range g.Egress {
			rule, err := r.rule(fmt.Sprintf("%s.egress[%d]", path, j))
			if err != nil {
				return s, err
			}
			sg.Egress = append(sg.Egress, rule)
		}
		s.SecurityGroups = append(s.SecurityGroups, sg)
	}
	for i, r := range f.RouteTables {
		rt := RouteTable{ID: orNewID(r.ID, PrefixRTB), VPCID: r.VPC, Main: r.Main, Subnets: r.Subnets, Tags: r.Tags.tags()}
		for j, route := range r.Routes {
			p, err := parsePrefix(fmt.Sprintf("route_tables[%d].routes[%d].destination", i, j), route.Destination)
			if err != nil {
				return s, err
			}
			rt.Routes = append(rt.Routes, Route{Destination: p, Target: route.Target})
		}
		s.RouteTables = append(s.RouteTables, rt)
	}
	for _, g := range f.InternetGateways {
		s.InternetGateways = append(s.InternetGateways, InternetGateway{ID: orNewID(g.ID, PrefixIGW), VPCID: g.VPC, Tags: g.Tags.tags()})
	}
	for _, p := range f.Peerings {
		s.Peerings = append(s.Peerings, Peering{ID: orNewID(p.ID, PrefixPeering), RequesterVPC: p.RequesterVPC, AccepterVPC: p.AccepterVPC, Tags: p.Tags.tags()})
	}
	for i, in := range f.Instances {
		ip, err := parseAddr(fmt.Sprintf("instances[%d].ip", i), in.IP)
		if err != nil {
			return s, err
		}
		inst := Instance{ID: orNewID(in.ID, PrefixInstance), SubnetID: in.Subnet, PrivateIP: ip,
			SecurityGroups: in.SecurityGroups, Tags: in.Tags.tags()}
		if in.PublicIP != "" {
			if inst.PublicIP, err = parseAddr(fmt.Sprintf("instances[%d].public_ip", i), in.PublicIP); err != nil {
				return s, err
			}
		}
		s.Instances = append(s.Instances, inst)
	}
	for i, g := range f.GatewayEndpoints {
		path := fmt.Sprintf("gateway_endpoints[%d]", i)
		created, err := parseTime(path+".created", g.Created)
		if err != nil {
			return s, err
		}
		policy, err := policyText(path+".policy", g.Policy)
		if err != nil {
			return s, err
		}
		s.GatewayEndpoints = append(s.GatewayEndpoints, GatewayEndpoint{ID: orNewID(g.ID, PrefixEndpoint), VPCID: g.VPC, Region: g.Region,
			RouteTables: g.RouteTables, Policy: policy, Tags: g.Tags.tags(), Created: created, State: g.State, ClientToken: g.ClientToken})
	}
	for i, e := range f.Endpoints {
		path := fmt.Sprintf("endpoints[%d]", i)
		created, err := parseTime(path+".created", e.Created)
		if err != nil {
			return s, err
		}
		policy, err := policyText(path+".policy", e.Policy)
		if err != nil {
			return s, err
		}
		suffix := e.DNSSuffix
		if suffix == "" {
			suffix = NewDNSSuffix()
		}
		ep := Endpoint{ID: orNewID(e.ID, PrefixEndpoint), DNSSuffix: suffix, Region: e.Region, VPCID: e.VPC, OwnerID: e.Owner,
			PrivateDNS: e.PrivateDNS, PrivateDNSOnlyForInboundResolverEndpoint: e.PrivateDNSOnlyForInboundResolverEndpoint,
			SecurityGroups: e.SecurityGroups, IPAddressType: e.IPAddressType, Policy: policy, Tags: e.Tags.tags(),
			Created: created, State: e.State, ClientToken: e.ClientToken}
		if len(e.Zones) == 0 {
			return s, fieldErr(path+".zones", "an interface endpoint needs at least one zone (subnet)")
		}
		for j, z := range e.Zones {
			ip, err := parseAddr(fmt.Sprintf("%s.zones[%d].ip", path, j), z.IP)
			if err != nil {
				return s, err
			}
			ep.Zones = append(ep.Zones, Zone{Name: z.Name, IP: ip, SubnetID: z.Subnet, ENIID: z.ENI})
		}
		s.Endpoints = append(s.Endpoints, ep)
	}
	return s, nil
}

func (r ruleFile) rule(path string) (Rule, error) {
	out := Rule{Protocol: r.Protocol, FromPort: -1, ToPort: -1, Groups: r.Groups, Description: r.Description}
	switch r.Protocol {
	case "6":
		out.Protocol = ProtocolTCP
	case "17":
		out.Protocol = ProtocolUDP
	case "1":
		out.Protocol = ProtocolICMP
	case "all":
		out.Protocol = ProtocolAll
	}
	if r.FromPort != nil {
		out.FromPort = *r.FromPort
	}
	if r.ToPort != nil {
		out.ToPort = *r.ToPort
	} else if r.FromPort != nil {
		out.ToPort = out.FromPort
	}
	if (out.Protocol == ProtocolTCP || out.Protocol == ProtocolUDP) && r.FromPort == nil {
		return out, fieldErr(path+".from_port", "a %s rule needs from_port (and to_port, which defaults to from_port)", out.Protocol)
	}
	for j, c := range r.CIDRs {
		p, err := parsePrefix(fmt.Sprintf("%s.cidrs[%d]", path, j), c)
		if err != nil {
			return out, err
		}
		out.CIDRs = append(out.CIDRs, p)
	}
	return out, nil
}

func parsePrefix(path, s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, fieldErr(path, "%q: want an IPv4 CIDR such as 10.0.0.0/16", s)
	}
	if !p.Addr().Is4() {
		return p, fieldErr(path, "%q: want an IPv4 CIDR", s)
	}
	return p, nil
}

func parseAddr(path, s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return a, fieldErr(path, "%q: %v", s, err)
	}
	if !a.Is4() {
		return a, fieldErr(path, "%q: want an IPv4 address", s)
	}
	return a, nil
}

func parseTime(path, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, fieldErr(path, "%q: want an RFC 3339 time such as 2021-03-04T08:12:31Z", s)
	}
	return t.UTC(), nil
}

// policyText reads a "policy": a document written as a JSON object (by
// hand), or as a string holding one (as MarshalTopology writes it, so that
// the document comes back byte for byte as it was given).
func policyText(path string, raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	doc := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &doc); err != nil {
			return "", fieldErr(path, "want a policy document: %v", err)
		}
	}
	if d := strings.TrimLeft(doc, " \t\r\n"); d == "" || d[0] != '{' || !json.Valid([]byte(doc)) {
		return "", fieldErr(path, "want a policy document (a JSON object, or a string holding one)")
	}
	return doc, nil
}

func orNewID(id, prefix string) string {
	if id == "" {
		return NewID(prefix)
	}
	return id
}

func orTrue(b *bool) bool { return b == nil || *b }

func (t tagsFile) tags() []Tag {
	if len(t) == 0 {
		return nil
	}
	out := make([]Tag, 0, len(t))
	for k, v := range t {
		out = append(out, Tag{Key: k, Value: v})
	}
	slices.SortFunc(out, func(a, b Tag) int { return strings.Compare(a.Key, b.Key) })
	return out
}

func fileTags(tags []Tag) tagsFile {
	if len(tags) == 0 {
		return nil
	}
	m := make(tagsFile, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

func fileTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func fileBool(b bool) *bool { return &b }

// MarshalTopology writes t in the JSON form ParseTopology reads.
func MarshalTopology(t *Topology) ([]byte, error) {
	s := &t.spec
	f := topologyFile{Account: s.Account}
	if s.PolicyMode == PolicyAudit {
		f.PolicyMode = string(PolicyAudit)
	}
	for _, v := range s.VPCs {
		f.VPCs = append(f.VPCs, vpcFile{ID: v.ID, CIDR: v.CIDR.String(), IsDefault: v.IsDefault,
			EnableDNSSupport: fileBool(v.EnableDNSSupport), EnableDNSHostnames: fileBool(v.EnableDNSHostnames), Tags: fileTags(v.Tags)})
	}
	for _, sub := range s.Subnets {
		f.Subnets = append(f.Subnets, subnetFile{ID: sub.ID, VPC: sub.VPCID, CIDR: sub.CIDR.String(), AZ: sub.AZ, Tags: fileTags(sub.Tags)})
	}
	for _, g := range s.SecurityGroups {
		gf := groupFile{ID: g.ID, Name: g.Name, Description: g.Description, VPC: g.VPCID, Tags: fileTags(g.Tags)}
		for _, r := range g.Ingress {
			gf.Ingress = append(gf.Ingress, fileRule(r))
		}
		for _, r := range g.Egress {
			gf.Egress = append(gf.Egress, fileRule(r))
		}
		f.SecurityGroups = append(f.SecurityGroups, gf)
	}
	for _, r := range s.RouteTables {
		rf := routeTableFile{ID: r.ID, VPC: r.VPCID, Main: r.Main, Subnets: r.Subnets, Tags: fileTags(r.Tags)}
		for _, route := range r.Routes {
			rf.Routes = append(rf.Routes, routeFile{Destination: route.Destination.String(), Target: route.Target})
		}
		f.RouteTables = append(f.RouteTables, rf)
	}
	for _, g := range s.InternetGateways {
		f.InternetGateways = append(f.InternetGateways, igwFile{ID: g.ID, VPC: g.VPCID, Tags: fileTags(g.Tags)})
	}
	for _, p := range s.Peerings {
		f.Peerings = append(f.Peerings, peeringFile{ID: p.ID, RequesterVPC: p.RequesterVPC, AccepterVPC: p.AccepterVPC, Tags: fileTags(p.Tags)})
	}
	for _, in := range s.Instances {
		inf := instanceFile{ID: in.ID, Subnet: in.SubnetID, IP: in.PrivateIP.String(),
			SecurityGroups: in.SecurityGroups, Tags: fileTags(in.Tags)}
		if in.PublicIP.IsValid() {
			inf.PublicIP = in.PublicIP.String()
		}
		f.Instances = append(f.Instances, inf)
	}
	for _, g := range s.GatewayEndpoints {
		f.GatewayEndpoints = append(f.GatewayEndpoints, gatewayFile{ID: g.ID, VPC: g.VPCID, Region: g.Region, RouteTables: g.RouteTables,
			Policy: rawPolicy(g.Policy), Tags: fileTags(g.Tags), Created: fileTime(g.Created), State: g.State, ClientToken: g.ClientToken})
	}
	for _, e := range s.Endpoints {
		ef := endpointFile{ID: e.ID, DNSSuffix: e.DNSSuffix, Region: e.Region, VPC: e.VPCID, Owner: e.OwnerID,
			PrivateDNS: e.PrivateDNS, PrivateDNSOnlyForInboundResolverEndpoint: e.PrivateDNSOnlyForInboundResolverEndpoint,
			SecurityGroups: e.SecurityGroups, IPAddressType: e.IPAddressType, Policy: rawPolicy(e.Policy), Tags: fileTags(e.Tags),
			Created: fileTime(e.Created), State: e.State, ClientToken: e.ClientToken}
		for _, z := range e.Zones {
			ef.Zones = append(ef.Zones, zoneFile{Name: z.Name, IP: z.IP.String(), Subnet: z.SubnetID, ENI: z.ENIID})
		}
		f.Endpoints = append(f.Endpoints, ef)
	}
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("vpce: topology: %w", err)
	}
	return append(out, '\n'), nil
}

func fileRule(r Rule) ruleFile {
	out := ruleFile{Protocol: r.Protocol, Groups: r.Groups, Description: r.Description}
	if r.Protocol != ProtocolAll {
		from, to := r.FromPort, r.ToPort
		out.FromPort, out.ToPort = &from, &to
	}
	for _, c := range r.CIDRs {
		out.CIDRs = append(out.CIDRs, c.String())
	}
	return out
}

// rawPolicy writes a policy document as a JSON string: exactly the text
// it was given, white space included.
func rawPolicy(doc string) json.RawMessage {
	if doc == "" {
		return nil
	}
	b, _ := json.Marshal(doc) // a string always marshals
	return b
}
