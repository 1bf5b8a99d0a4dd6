package ec2api

import (
	"encoding/xml"
	"slices"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

type modifyVpcEndpointResponse struct {
	XMLName xml.Name `xml:"ModifyVpcEndpointResponse"`
	Meta
	Return bool `xml:"return"`
}

// modifyRequest is ModifyVpcEndpoint's parameters, decoded.
type modifyRequest struct {
	id                        string
	policy                    string
	policySet, reset          bool
	addSubnets, removeSubnets []string
	addGroups, removeGroups   []string
	addRoutes, removeRoutes   []string
	privateDNS, privateDNSSet bool
	dns                       dnsOptions
}

func parseModify(p Params) (*modifyRequest, *Error) {
	m := &modifyRequest{
		id:            p.String("VpcEndpointId"),
		policy:        p.String("PolicyDocument"),
		policySet:     p.Has("PolicyDocument"),
		addSubnets:    dedupe(p.List("AddSubnetId")),
		removeSubnets: dedupe(p.List("RemoveSubnetId")),
		addGroups:     dedupe(p.List("AddSecurityGroupId")),
		removeGroups:  dedupe(p.List("RemoveSecurityGroupId")),
		addRoutes:     dedupe(p.List("AddRouteTableId")),
		removeRoutes:  dedupe(p.List("RemoveRouteTableId")),
	}
	if m.id == "" {
		return nil, Errorf("MissingParameter", "The request must contain the parameter VpcEndpointId")
	}
	if err := checkID("InvalidVpcEndpointId.Malformed", vpce.PrefixEndpoint, m.id); err != nil {
		return nil, err
	}
	var err *Error
	if m.reset, _, err = p.Bool("ResetPolicy"); err != nil {
		return nil, err
	}
	if m.reset && m.policySet {
		return nil, Errorf("InvalidParameterCombination", "The parameters ResetPolicy and PolicyDocument cannot be used together.")
	}
	if m.privateDNS, m.privateDNSSet, err = p.Bool("PrivateDnsEnabled"); err != nil {
		return nil, err
	}
	if m.dns, err = parseDNSOptions(p); err != nil {
		return nil, err
	}
	if err := parseIPAddressType(p); err != nil {
		return nil, err
	}
	for _, pair := range [][2][]string{{m.addSubnets, m.removeSubnets}, {m.addGroups, m.removeGroups}, {m.addRoutes, m.removeRoutes}} {
		for _, id := range pair[0] {
			if slices.Contains(pair[1], id) {
				return nil, Errorf("InvalidParameter", "%s cannot be both added and removed in one request.", id)
			}
		}
	}
	return m, nil
}

// modifyVpcEndpoint is ModifyVpcEndpoint: the policy (or back to the
// default), subnets, security groups, private DNS and DnsOptions of an
// interface endpoint; the policy and route tables of a gateway endpoint.
func modifyVpcEndpoint(h *Handler, req *Request) (any, *Error) {
	m, err := parseModify(req.Params)
	if err != nil {
		return nil, err
	}
	dry, err := dryRunSet(req.Params)
	if err != nil {
		return nil, err
	}
	change := func(s *vpce.Spec) *Error {
		i, g, err := specEndpoint(s, m.id)
		if err != nil {
			return err
		}
		if i >= 0 {
			return m.applyInterface(s, &s.Endpoints[i])
		}
		return m.applyGateway(s, &s.GatewayEndpoints[g])
	}
	if dry {
		return nil, h.dryRun(change)
	}
	if _, err := h.update(change); err != nil {
		return nil, err
	}
	return &modifyVpcEndpointResponse{Meta: NewMeta(req), Return: true}, nil
}

func (m *modifyRequest) applyPolicy(policy *string, typ string) *Error {
	switch {
	case m.reset:
		*policy = ""
	case m.policySet:
		if err := checkPolicy(m.policy, typ); err != nil {
			return err
		}
		*policy = m.policy
	}
	return nil
}

func (m *modifyRequest) applyInterface(s *vpce.Spec, e *vpce.Endpoint) *Error {
	if len(m.addRoutes) > 0 || len(m.removeRoutes) > 0 {
		return Errorf("InvalidParameter", "Route table IDs are only supported for Gateway type VPC Endpoint.")
	}
	if err := m.applyPolicy(&e.Policy, typeInterface); err != nil {
		return err
	}
	for _, id := range m.removeSubnets {
		i := slices.IndexFunc(e.Zones, func(z vpce.Zone) bool { return z.SubnetID == id })
		if i < 0 {
			if err := checkID("InvalidSubnetID.Malformed", vpce.PrefixSubnet, id); err != nil {
				return err
			}
			return Errorf("InvalidParameter", "The subnet %s is not associated with VPC endpoint %s.", id, e.ID)
		}
		e.Zones = slices.Delete(e.Zones, i, i+1)
	}
	var add []string
	for _, id := range m.addSubnets {
		if !slices.ContainsFunc(e.Zones, func(z vpce.Zone) bool { return z.SubnetID == id }) {
			add = append(add, id)
		}
	}
	if err := addZones(s, e, add); err != nil {
		return err
	}
	if len(e.Zones) == 0 {
		return Errorf("InvalidParameter", "An Interface type VPC Endpoint needs at least one subnet: %s would have none.", e.ID)
	}
	for _, id := range m.removeGroups {
		i := slices.Index(e.SecurityGroups, id)
		if i < 0 {
			if err := checkID("InvalidGroupId.Malformed", vpce.PrefixGroup, id); err != nil {
				return err
			}
			return Errorf("InvalidParameter", "The security group %s is not associated with VPC endpoint %s.", id, e.ID)
		}
		e.SecurityGroups = slices.Delete(e.SecurityGroups, i, i+1)
	}
	for _, id := range m.addGroups {
		if err := specGroup(s, id, e.VPCID); err != nil {
			return err
		}
		if !slices.Contains(e.SecurityGroups, id) {
			e.SecurityGroups = append(e.SecurityGroups, id)
		}
	}
	if len(e.SecurityGroups) == 0 {
		return Errorf("InvalidParameter", "An Interface type VPC Endpoint needs at least one security group: %s would have none.", e.ID)
	}
	return m.applyDNS(s, e)
}

// applyDNS applies PrivateDnsEnabled and DnsOptions, with EC2's rules.
func (m *modifyRequest) applyDNS(s *vpce.Spec, e *vpce.Endpoint) *Error {
	gw := hasGateway(s, e.VPCID, e.Region)
	if m.privateDNSSet && m.privateDNS != e.PrivateDNS {
		e.PrivateDNS = m.privateDNS
		if e.PrivateDNS {
			v, err := specVPC(s, e.VPCID)
			if err != nil {
				return err
			}
			if !v.EnableDNSSupport || !v.EnableDNSHostnames {
				return Errorf("InvalidParameter", "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for %s", v.ID)
			}
			e.PrivateDNSOnlyForInboundResolverEndpoint = gw // as CreateVpcEndpoint
		} else {
			e.PrivateDNSOnlyForInboundResolverEndpoint = false
		}
	}
	if m.dns.inboundSet {
		switch {
		case m.dns.inboundOnly && !e.PrivateDNS:
			return Errorf("InvalidParameter", "PrivateDnsOnlyForInboundResolverEndpoint can only be set to true when PrivateDnsEnabled is true.")
		case m.dns.inboundOnly && !gw:
			return inboundOnlyError(e.VPCID)
		}
		e.PrivateDNSOnlyForInboundResolverEndpoint = m.dns.inboundOnly
	}
	return nil
}

func (m *modifyRequest) applyGateway(s *vpce.Spec, g *vpce.GatewayEndpoint) *Error {
	switch {
	case len(m.addSubnets) > 0 || len(m.removeSubnets) > 0:
		return Errorf("InvalidParameter", "Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC Endpoints.")
	case len(m.addGroups) > 0 || len(m.removeGroups) > 0:
		return Errorf("InvalidParameter", "Security group IDs are only supported for Interface type VPC Endpoint.")
	case m.privateDNSSet || m.dns.inboundSet:
		return Errorf("InvalidParameter", "Private DNS and DnsOptions are only supported for Interface type VPC Endpoint.")
	}
	if err := m.applyPolicy(&g.Policy, typeGateway); err != nil {
		return err
	}
	for _, id := range m.removeRoutes {
		i := slices.Index(g.RouteTables, id)
		if i < 0 {
			if err := checkID("InvalidRouteTableId.Malformed", vpce.PrefixRTB, id); err != nil {
				return err
			}
			return Errorf("InvalidParameter", "The route table %s is not associated with VPC endpoint %s.", id, g.ID)
		}
		g.RouteTables = slices.Delete(g.RouteTables, i, i+1)
	}
	for _, id := range m.addRoutes {
		if slices.Contains(g.RouteTables, id) {
			continue
		}
		if err := specRouteTable(s, id, g.VPCID); err != nil {
			return err
		}
		if err := routeInUse(s, id, g.Region, g.ID); err != nil {
			return err
		}
		g.RouteTables = append(g.RouteTables, id)
	}
	return nil
}

type deleteVpcEndpointsResponse struct {
	XMLName xml.Name `xml:"DeleteVpcEndpointsResponse"`
	Meta
	Unsuccessful unsuccessfulSet `xml:"unsuccessful"`
}

// unsuccessfulXML is EC2's UnsuccessfulItem shape.
type unsuccessfulXML struct {
	Error struct {
		Code    string `xml:"code"`
		Message string `xml:"message"`
	} `xml:"error"`
	ResourceID string `xml:"resourceId"`
}

type unsuccessfulSet []unsuccessfulXML

func (s unsuccessfulSet) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalItems(e, start, s)
}

func unsuccessful(id string, err *Error) unsuccessfulXML {
	var u unsuccessfulXML
	u.ResourceID, u.Error.Code, u.Error.Message = id, err.Code, err.Message
	return u
}

// deleteVpcEndpoints is DeleteVpcEndpoints: every endpoint that can go
// goes, in one change; each that cannot is an Unsuccessful item with its
// code and message.
func deleteVpcEndpoints(h *Handler, req *Request) (any, *Error) {
	ids := dedupe(req.Params.List("VpcEndpointId"))
	if len(ids) == 0 {
		return nil, Errorf("MissingParameter", "The request must contain the parameter VpcEndpointId")
	}
	dry, err := dryRunSet(req.Params)
	if err != nil {
		return nil, err
	}
	var failed unsuccessfulSet
	change := func(s *vpce.Spec) *Error {
		failed = unsuccessfulSet{}
		gone := map[string]bool{}
		var gateways []string
		for _, id := range ids {
			_, g, err := specEndpoint(s, id)
			if err != nil {
				failed = append(failed, unsuccessful(id, err))
				continue
			}
			gone[id] = true
			if g >= 0 {
				gateways = append(gateways, id)
			}
		}
		// The last gateway endpoint of a VPC stays while an interface
		// endpoint that stays sends the VPC's own clients to it.
		for _, id := range gateways {
			_, g, _ := specEndpoint(s, id)
			gw := s.GatewayEndpoints[g]
			if gatewaysLeft(s, gw.VPCID, gw.Region, gone) > 0 {
				continue
			}
			for _, e := range s.Endpoints {
				if !gone[e.ID] && e.VPCID == gw.VPCID && e.Region == gw.Region && e.PrivateDNSOnlyForInboundResolverEndpoint {
					delete(gone, id)
					failed = append(failed, unsuccessful(id, Errorf("DependencyViolation",
						"The gateway endpoint %s cannot be deleted: the interface endpoint %s has PrivateDnsOnlyForInboundResolverEndpoint set and needs a gateway endpoint in %s.", id, e.ID, gw.VPCID)))
					break
				}
			}
		}
		s.Endpoints = slices.DeleteFunc(s.Endpoints, func(e vpce.Endpoint) bool { return gone[e.ID] })
		s.GatewayEndpoints = slices.DeleteFunc(s.GatewayEndpoints, func(g vpce.GatewayEndpoint) bool { return gone[g.ID] })
		return nil
	}
	if dry {
		return nil, h.dryRun(change)
	}
	if _, err := h.update(change); err != nil {
		return nil, err
	}
	return &deleteVpcEndpointsResponse{Meta: NewMeta(req), Unsuccessful: failed}, nil
}

// gatewaysLeft counts the VPC's gateway endpoints in region that are not
// gone.
func gatewaysLeft(s *vpce.Spec, vpc, region string, gone map[string]bool) int {
	n := 0
	for _, g := range s.GatewayEndpoints {
		if g.VPCID == vpc && g.Region == region && !gone[g.ID] {
			n++
		}
	}
	return n
}
