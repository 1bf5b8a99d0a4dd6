package ec2api

import (
	"encoding/xml"
	"slices"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

type createVpcEndpointResponse struct {
	XMLName xml.Name `xml:"CreateVpcEndpointResponse"`
	Meta
	VpcEndpoint vpcEndpointXML `xml:"vpcEndpoint"`
	ClientToken string         `xml:"clientToken,omitempty"`
}

// dnsOptions are the DnsOptions.* parameters of Create and ModifyVpcEndpoint.
type dnsOptions struct {
	// inboundOnly is PrivateDnsOnlyForInboundResolverEndpoint; inboundSet
	// whether it was given.
	inboundOnly, inboundSet bool
}

// parseDNSOptions decodes DnsOptions.DnsRecordIpType (ipv4 only: the
// emulated endpoints are IPv4) and
// DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint.
func parseDNSOptions(p Params) (dnsOptions, *Error) {
	var o dnsOptions
	if v := p.String("DnsOptions.DnsRecordIpType"); v != "" {
		switch v {
		case "ipv4":
		case "ipv6", "dualstack", "service-defined":
			return o, Errorf("InvalidParameter", "DnsRecordIpType %s is not supported: the emulated endpoints have IPv4 addresses only.", v)
		default:
			return o, Errorf("InvalidParameterValue", "Value (%s) for parameter DnsOptions.DnsRecordIpType is invalid. Expected: 'ipv4', 'ipv6', 'dualstack' or 'service-defined'.", v)
		}
	}
	var err *Error
	o.inboundOnly, o.inboundSet, err = p.Bool("DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint")
	return o, err
}

// parseIPAddressType accepts ipv4 (or nothing): the emulated endpoints are
// IPv4 only.
func parseIPAddressType(p Params) *Error {
	switch v := p.String("IpAddressType"); v {
	case "", "ipv4":
		return nil
	case "ipv6", "dualstack":
		return Errorf("InvalidParameter", "IpAddressType %s is not supported: the emulated endpoints have IPv4 addresses only.", v)
	default:
		return Errorf("InvalidParameterValue", "Value (%s) for parameter IpAddressType is invalid. Expected: 'ipv4', 'ipv6' or 'dualstack'.", v)
	}
}

// createRequest is CreateVpcEndpoint's parameters, decoded.
type createRequest struct {
	typ, vpc, service, policy, token string
	subnets, groups, routeTables     []string
	privateDNS, privateDNSSet        bool
	dns                              dnsOptions
	tags                             []vpce.Tag
}

func parseCreate(req *Request) (*createRequest, *Error) {
	p := req.Params
	c := &createRequest{
		typ:         p.String("VpcEndpointType"),
		vpc:         p.String("VpcId"),
		service:     p.String("ServiceName"),
		policy:      p.String("PolicyDocument"),
		token:       p.String("ClientToken"),
		subnets:     p.List("SubnetId"),
		groups:      p.List("SecurityGroupId"),
		routeTables: p.List("RouteTableId"),
	}
	switch c.typ {
	case "":
		c.typ = typeGateway // EC2's default
	case typeInterface, typeGateway:
	case "GatewayLoadBalancer", "Resource", "ServiceNetwork":
		return nil, Errorf("InvalidParameter", "The Vpc Endpoint Service '%s' does not support the VPC endpoint type %s.", c.service, c.typ)
	default:
		return nil, Errorf("InvalidParameterValue", "Value (%s) for parameter VpcEndpointType is invalid. Expected: 'Interface', 'Gateway' or 'GatewayLoadBalancer'.", c.typ)
	}
	if c.vpc == "" {
		return nil, Errorf("MissingParameter", "The request must contain the parameter VpcId")
	}
	if c.service == "" {
		return nil, Errorf("MissingParameter", "The request must contain the parameter ServiceName")
	}
	if c.service != vpce.S3ServiceName(region(req)) {
		return nil, Errorf("InvalidServiceName", "The Vpc Endpoint Service '%s' does not exist", c.service)
	}
	var err *Error
	if c.privateDNS, c.privateDNSSet, err = p.Bool("PrivateDnsEnabled"); err != nil {
		return nil, err
	}
	if c.dns, err = parseDNSOptions(p); err != nil {
		return nil, err
	}
	if err := parseIPAddressType(p); err != nil {
		return nil, err
	}
	switch c.typ {
	case typeInterface:
		if len(c.routeTables) > 0 {
			return nil, Errorf("InvalidParameter", "Route table IDs are only supported for Gateway type VPC Endpoint.")
		}
		if len(c.subnets) == 0 {
			return nil, Errorf("InvalidParameter", "An Interface type VPC Endpoint needs at least one subnet (SubnetId.N): the emulator models no endpoint without a network interface.")
		}
		if !c.privateDNSSet {
			c.privateDNS = true // EC2's default for Interface
		}
		if c.dns.inboundSet && c.dns.inboundOnly && !c.privateDNS {
			return nil, Errorf("InvalidParameter", "PrivateDnsOnlyForInboundResolverEndpoint can only be set to true when PrivateDnsEnabled is true.")
		}
	case typeGateway:
		switch {
		case len(c.subnets) > 0:
			return nil, Errorf("InvalidParameter", "Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC Endpoints.")
		case len(c.groups) > 0:
			return nil, Errorf("InvalidParameter", "Security group IDs are only supported for Interface type VPC Endpoint.")
		case c.privateDNSSet && c.privateDNS:
			return nil, Errorf("InvalidParameter", "Private DNS can only be enabled for Interface type VPC Endpoint.")
		case c.dns.inboundSet:
			return nil, Errorf("InvalidParameter", "DnsOptions are only supported for Interface type VPC Endpoint.")
		}
	}
	if c.policy != "" {
		if err := checkPolicy(c.policy, c.typ); err != nil {
			return nil, err
		}
	}
	if c.tags, err = ParseTagSpecifications(p, "vpc-endpoint"); err != nil {
		return nil, err
	}
	return c, nil
}

// createVpcEndpoint is CreateVpcEndpoint: an S3 interface endpoint (one
// network interface per subnet, each in its own zone, at a free address of
// the subnet) or an S3 gateway endpoint (a prefix-list route in each route
// table). The same ClientToken returns the endpoint it first created.
func createVpcEndpoint(h *Handler, req *Request) (any, *Error) {
	c, err := parseCreate(req)
	if err != nil {
		return nil, err
	}
	dry, err := dryRunSet(req.Params)
	if err != nil {
		return nil, err
	}
	if resp, done, err := c.replayed(h, req); done {
		return resp, err
	}
	var id string
	change := func(s *vpce.Spec) *Error {
		if c.token != "" && tokenUsed(s, c.token) {
			return errTokenUsed // a request with the same token got in first
		}
		var err *Error
		id, err = c.apply(s, req)
		return err
	}
	if dry {
		return nil, h.dryRun(change)
	}
	t, err := h.update(change)
	if err == errTokenUsed {
		if resp, done, err := c.replayed(h, req); done {
			return resp, err
		}
		return nil, Errorf("IdempotentParameterMismatch", "The client token %s is in use by a request in progress.", c.token)
	}
	if err != nil {
		return nil, err
	}
	var x vpcEndpointXML
	if e, ok := t.Endpoint(id); ok {
		x = interfaceXML(t, e)
		x.State = "pending" // as EC2 answers; Describe shows it available
	} else if g, ok := t.GatewayEndpoint(id); ok {
		x = gatewayXML(t, g)
	}
	return &createVpcEndpointResponse{Meta: NewMeta(req), VpcEndpoint: x, ClientToken: c.token}, nil
}

// errTokenUsed is how a change finds that its ClientToken was used by a
// request that changed the topology first.
var errTokenUsed = &Error{Status: 400, Code: "IdempotentParameterMismatch", Message: "client token used concurrently"}

// replayed answers a request whose ClientToken an earlier request
// created an endpoint with: that endpoint, as EC2 does. A token reused for
// another VPC or type is IdempotentParameterMismatch. done is false when
// the token is new (or absent).
func (c *createRequest) replayed(h *Handler, req *Request) (resp any, done bool, err *Error) {
	if c.token == "" {
		return nil, false, nil
	}
	t := h.b.Topology()
	mismatch := Errorf("IdempotentParameterMismatch", "The client token %s has already been used with different parameters.", c.token)
	answer := func(x vpcEndpointXML) (any, bool, *Error) {
		return &createVpcEndpointResponse{Meta: NewMeta(req), VpcEndpoint: x, ClientToken: c.token}, true, nil
	}
	for i := range t.Endpoints() {
		if e := &t.Endpoints()[i]; e.ClientToken == c.token {
			if e.VPCID != c.vpc || c.typ != typeInterface {
				return nil, true, mismatch
			}
			return answer(interfaceXML(t, e))
		}
	}
	for i := range t.GatewayEndpoints() {
		if g := &t.GatewayEndpoints()[i]; g.ClientToken == c.token {
			if g.VPCID != c.vpc || c.typ != typeGateway {
				return nil, true, mismatch
			}
			return answer(gatewayXML(t, g))
		}
	}
	return nil, false, nil
}

// tokenUsed reports whether an endpoint of s was created with token.
func tokenUsed(s *vpce.Spec, token string) bool {
	return slices.ContainsFunc(s.Endpoints, func(e vpce.Endpoint) bool { return e.ClientToken == token }) ||
		slices.ContainsFunc(s.GatewayEndpoints, func(g vpce.GatewayEndpoint) bool { return g.ClientToken == token })
}

// apply adds the endpoint to s and returns its ID.
func (c *createRequest) apply(s *vpce.Spec, req *Request) (string, *Error) {
	v, err := specVPC(s, c.vpc)
	if err != nil {
		return "", err
	}
	r := region(req)
	id := vpce.NewID(vpce.PrefixEndpoint)
	if c.typ == typeGateway {
		for _, rtb := range c.routeTables {
			if err := specRouteTable(s, rtb, v.ID); err != nil {
				return "", err
			}
			if err := routeInUse(s, rtb, r, ""); err != nil {
				return "", err
			}
		}
		s.GatewayEndpoints = append(s.GatewayEndpoints, vpce.GatewayEndpoint{
			ID: id, VPCID: v.ID, Region: r, RouteTables: dedupe(c.routeTables), Policy: c.policy,
			Tags: c.tags, Created: req.Now, State: "available", ClientToken: c.token,
		})
		return id, nil
	}
	e := vpce.Endpoint{
		ID: id, DNSSuffix: vpce.NewDNSSuffix(), Region: r, VPCID: v.ID,
		PrivateDNS: c.privateDNS, Policy: c.policy, IPAddressType: "ipv4",
		Tags: c.tags, Created: req.Now, State: "available", ClientToken: c.token,
	}
	if e.PrivateDNS {
		if !v.EnableDNSSupport || !v.EnableDNSHostnames {
			return "", Errorf("InvalidParameter", "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for %s", v.ID)
		}
		gw := hasGateway(s, v.ID, r)
		switch {
		case c.dns.inboundSet && c.dns.inboundOnly && !gw:
			return "", inboundOnlyError(v.ID)
		case c.dns.inboundSet:
			e.PrivateDNSOnlyForInboundResolverEndpoint = c.dns.inboundOnly
		default:
			// The console's and EC2's default for S3: on when the VPC has a
			// gateway endpoint to send its own clients to.
			e.PrivateDNSOnlyForInboundResolverEndpoint = gw
		}
	}
	if err := addZones(s, &e, c.subnets); err != nil {
		return "", err
	}
	groups := dedupe(c.groups)
	if len(groups) == 0 {
		def, err := defaultGroup(s, v.ID)
		if err != nil {
			return "", err
		}
		groups = []string{def}
	}
	for _, g := range groups {
		if err := specGroup(s, g, v.ID); err != nil {
			return "", err
		}
	}
	e.SecurityGroups = groups
	s.Endpoints = append(s.Endpoints, e)
	return id, nil
}

// addZones gives e a network interface in each subnet: one per zone, at
// the subnet's lowest free address, with a new eni- ID.
func addZones(s *vpce.Spec, e *vpce.Endpoint, subnets []string) *Error {
	for _, id := range dedupe(subnets) {
		sub, err := specSubnet(s, id, e.VPCID)
		if err != nil {
			return err
		}
		for _, z := range e.Zones {
			if z.Name == sub.AZ {
				return Errorf("DuplicateSubnetsInSameZone", "Found another VPC endpoint subnet in the availability zone of %s. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.", id)
			}
		}
		ip, err := freeHost(s, sub, e.IPs())
		if err != nil {
			return err
		}
		e.Zones = append(e.Zones, vpce.Zone{Name: sub.AZ, IP: ip, SubnetID: sub.ID, ENIID: vpce.NewID(vpce.PrefixENI)})
	}
	return nil
}

// defaultGroup is the VPC's security group named "default".
func defaultGroup(s *vpce.Spec, vpc string) (string, *Error) {
	for _, g := range s.SecurityGroups {
		if g.VPCID == vpc && g.Name == "default" {
			return g.ID, nil
		}
	}
	return "", Errorf("InvalidGroup.NotFound", "The security group 'default' does not exist in VPC '%s'", vpc)
}

// dedupe drops repeated IDs, keeping the first of each.
func dedupe(ids []string) []string {
	var out []string
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
