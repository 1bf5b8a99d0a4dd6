package ec2api

import (
	"encoding/xml"
	"net/netip"
	"slices"
	"strings"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// describeRouteTablesResponse is DescribeRouteTables' answer.
type describeRouteTablesResponse struct {
	XMLName xml.Name `xml:"DescribeRouteTablesResponse"`
	Meta
	RouteTables itemSet[routeTableItem] `xml:"routeTableSet"`
	NextToken   string                  `xml:"nextToken,omitempty"`
}

type routeTableItem struct {
	RouteTableID    string                         `xml:"routeTableId"`
	VpcID           string                         `xml:"vpcId"`
	OwnerID         string                         `xml:"ownerId"`
	Routes          itemSet[routeItem]             `xml:"routeSet"`
	Associations    itemSet[routeTableAssociation] `xml:"associationSet"`
	PropagatingVgws itemSet[struct{}]              `xml:"propagatingVgwSet"`
	Tags            TagSet                         `xml:"tagSet,omitempty"`
}

type routeItem struct {
	DestinationCidrBlock    string `xml:"destinationCidrBlock,omitempty"`
	DestinationPrefixListID string `xml:"destinationPrefixListId,omitempty"`
	GatewayID               string `xml:"gatewayId,omitempty"`
	VpcPeeringConnectionID  string `xml:"vpcPeeringConnectionId,omitempty"`
	State                   string `xml:"state"`
	Origin                  string `xml:"origin"`
}

type routeTableAssociation struct {
	Main                    bool       `xml:"main"`
	RouteTableAssociationID string     `xml:"routeTableAssociationId"`
	RouteTableID            string     `xml:"routeTableId"`
	SubnetID                string     `xml:"subnetId,omitempty"`
	AssociationState        stateValue `xml:"associationState"`
}

// routeItems renders a table's routes (vpce.Topology.Routes: local, its
// own, its gateway endpoints') as EC2 does: the local route, internet
// gateways and gateway endpoints as gatewayId, peerings as
// vpcPeeringConnectionId.
func routeItems(routes []vpce.Route) itemSet[routeItem] {
	var out []routeItem
	for _, r := range routes {
		it := routeItem{State: "active", Origin: r.Origin}
		if r.PrefixList != "" {
			it.DestinationPrefixListID = r.PrefixList
		} else {
			it.DestinationCidrBlock = r.Destination.String()
		}
		if strings.HasPrefix(r.Target, vpce.PrefixPeering+"-") {
			it.VpcPeeringConnectionID = r.Target
		} else {
			it.GatewayID = r.Target
		}
		out = append(out, it)
	}
	return itemSet[routeItem](out)
}

// associations lists a table's associations: the main one (for a main
// table) and one per explicitly associated subnet, with IDs derived from
// the table and subnet so that they are the same on every call.
func associations(r vpce.RouteTable) []routeTableAssociation {
	var out []routeTableAssociation
	if r.Main {
		out = append(out, routeTableAssociation{Main: true, RouteTableAssociationID: stableID("rtbassoc", r.ID, "main"),
			RouteTableID: r.ID, AssociationState: stateValue{State: "associated"}})
	}
	for _, sub := range r.Subnets {
		out = append(out, routeTableAssociation{RouteTableAssociationID: stableID("rtbassoc", r.ID, sub),
			RouteTableID: r.ID, SubnetID: sub, AssociationState: stateValue{State: "associated"}})
	}
	return out
}

func checkRouteTableID(id string) *Error {
	if !vpce.ValidResourceID(vpce.PrefixRTB, id) {
		return malformedID("InvalidRouteTableId.Malformed", vpce.PrefixRTB, id)
	}
	return nil
}

func routeTableNotFound(ids []string) *Error {
	return missingIDs("InvalidRouteTableID.NotFound", "routeTable", ids)
}

func routeTableLister(t *vpce.Topology) lister[vpce.RouteTable] {
	return lister[vpce.RouteTable]{
		idParam:  "RouteTableId",
		checkID:  checkRouteTableID,
		notFound: routeTableNotFound,
		filters: []string{"route-table-id", "vpc-id", "owner-id", "association.subnet-id", "association.main",
			"association.route-table-association-id", "association.route-table-id", "association.association-state",
			"route.destination-cidr-block", "route.destination-prefix-list-id", "route.gateway-id",
			"route.vpc-peering-connection-id", "route.origin", "route.state", "tag:", "tag-key"},
		id: func(r vpce.RouteTable) string { return r.ID },
		values: func(r vpce.RouteTable, name string) []string {
			var out []string
			switch name {
			case "route-table-id":
				return []string{r.ID}
			case "vpc-id":
				return []string{r.VPCID}
			case "owner-id":
				return []string{t.Account()}
			case "association.subnet-id":
				return r.Subnets
			}
			if a, ok := strings.CutPrefix(name, "association."); ok {
				for _, as := range associations(r) {
					switch a {
					case "main":
						out = append(out, boolString(as.Main))
					case "route-table-association-id":
						out = append(out, as.RouteTableAssociationID)
					case "route-table-id":
						out = append(out, as.RouteTableID)
					case "association-state":
						out = append(out, as.AssociationState.State)
					}
				}
				return out
			}
			for _, rt := range routeItems(t.Routes(r.ID)) {
				switch name {
				case "route.destination-cidr-block":
					out = append(out, rt.DestinationCidrBlock)
				case "route.destination-prefix-list-id":
					out = append(out, rt.DestinationPrefixListID)
				case "route.gateway-id":
					out = append(out, rt.GatewayID)
				case "route.vpc-peering-connection-id":
					out = append(out, rt.VpcPeeringConnectionID)
				case "route.origin":
					out = append(out, rt.Origin)
				case "route.state":
					out = append(out, rt.State)
				}
			}
			return slices.DeleteFunc(out, func(s string) bool { return s == "" })
		},
		tags: func(r vpce.RouteTable) []vpce.Tag { return r.Tags },
	}
}

func describeRouteTables(h *Handler, req *Request) (any, *Error) {
	t := h.b.Topology()
	tables, next, err := routeTableLister(t).list(req, t.RouteTables())
	if err != nil {
		return nil, err
	}
	resp := &describeRouteTablesResponse{Meta: NewMeta(req), NextToken: next}
	for _, r := range tables {
		resp.RouteTables = append(resp.RouteTables, routeTableItem{
			RouteTableID: r.ID,
			VpcID:        r.VPCID,
			OwnerID:      t.Account(),
			Routes:       routeItems(t.Routes(r.ID)),
			Associations: itemSet[routeTableAssociation](associations(r)),
			Tags:         XMLTags(r.Tags),
		})
	}
	return resp, nil
}

// routeTableIn finds the request's RouteTableId in s.
func routeTableIn(s *vpce.Spec, p Params) (*vpce.RouteTable, *Error) {
	id := p.String("RouteTableId")
	if id == "" {
		return nil, missingParameter("routeTableId")
	}
	if err := checkRouteTableID(id); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(s.RouteTables, func(r vpce.RouteTable) bool { return r.ID == id })
	if i < 0 {
		return nil, routeTableNotFound([]string{id})
	}
	return &s.RouteTables[i], nil
}

// routeDestination decodes DestinationCidrBlock (canonicalised), or
// DestinationPrefixListId when cidr is false; IPv6 destinations are not
// emulated.
func routeDestination(p Params) (dst netip.Prefix, prefixList string, err *Error) {
	if p.Has("DestinationIpv6CidrBlock") {
		return dst, "", Errorf("InvalidParameterValue", "IPv6 routes are not emulated: the emulated VPCs are IPv4 only.")
	}
	raw, hasCIDR := p["DestinationCidrBlock"]
	pl := p.String("DestinationPrefixListId")
	switch {
	case hasCIDR && pl != "":
		return dst, "", Errorf("InvalidParameterCombination", "The parameter destinationCidrBlock cannot be used with the parameter destinationPrefixListId")
	case pl != "":
		return dst, pl, nil
	case !hasCIDR || len(raw) == 0 || raw[0] == "":
		return dst, "", Errorf("MissingParameter", "The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock or destinationPrefixListId")
	}
	c, perr := netip.ParsePrefix(raw[0])
	if perr != nil || !c.Addr().Is4() {
		return dst, "", Errorf("InvalidParameterValue", "Value (%s) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.", raw[0])
	}
	return c.Masked(), "", nil
}

// gatewayRouteOf is the gateway endpoint whose route to prefix list pl is
// in table rtb, if any.
func gatewayRouteOf(s *vpce.Spec, rtb, pl string) (vpce.GatewayEndpoint, bool) {
	for _, g := range s.GatewayEndpoints {
		if vpce.S3PrefixListID(g.Region) == pl && slices.Contains(g.RouteTables, rtb) {
			return g, true
		}
	}
	return vpce.GatewayEndpoint{}, false
}

// routeTargets are CreateRoute's target parameters, exactly one of which
// a request names.
var routeTargets = []string{"GatewayId", "VpcPeeringConnectionId", "NatGatewayId", "InstanceId", "NetworkInterfaceId",
	"TransitGatewayId", "EgressOnlyInternetGatewayId", "LocalGatewayId", "CarrierGatewayId", "VpcEndpointId",
	"CoreNetworkArn", "OdbNetworkArn"}

// createRoute adds a route to an internet gateway attached to the table's
// VPC or to a peering connection of that VPC. The local route and the
// gateway endpoints' prefix-list routes are not made this way, as in EC2.
func createRoute(h *Handler, req *Request) (any, *Error) {
	p := req.Params
	var target, targetParam string
	for _, name := range routeTargets {
		if v := p.String(name); v != "" {
			if target != "" {
				return nil, Errorf("InvalidParameterCombination", "The parameter %s cannot be used with the parameter %s", lowerFirst(targetParam), lowerFirst(name))
			}
			target, targetParam = v, name
		}
	}
	err := h.change(req.Params, func(s *vpce.Spec) *Error {
		r, err := routeTableIn(s, p)
		if err != nil {
			return err
		}
		dst, pl, err := routeDestination(p)
		if err != nil {
			return err
		}
		if target == "" {
			return Errorf("MissingParameter", "The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, vpcPeeringConnectionId, egressOnlyInternetGatewayId, transitGatewayId, localGatewayId, carrierGatewayId, vpcEndpointId, coreNetworkArn or instanceId")
		}
		if pl != "" {
			if _, ok := gatewayRouteOf(s, r.ID, pl); ok {
				return Errorf("RouteAlreadyExists", "The route identified by %s already exists.", pl)
			}
			if strings.HasPrefix(target, vpce.PrefixEndpoint+"-") {
				return Errorf("RouteNotSupported", "Route table contains unsupported route target: %s. VPC Endpoints of this type cannot be used as route targets.", target)
			}
			return Errorf("InvalidParameterValue", "Routes to prefix lists are added by gateway endpoints only in this emulator (CreateVpcEndpoint or ModifyVpcEndpoint with AddRouteTableId.N).")
		}
		v := s.VPCs[slices.IndexFunc(s.VPCs, func(v vpce.VPC) bool { return v.ID == r.VPCID })]
		if dst == v.CIDR || slices.ContainsFunc(r.Routes, func(o vpce.Route) bool { return o.Destination == dst }) {
			return Errorf("RouteAlreadyExists", "The route identified by %s already exists.", dst)
		}
		route := vpce.Route{Destination: dst, Target: target}
		switch targetParam {
		case "GatewayId":
			switch {
			case strings.HasPrefix(target, vpce.PrefixEndpoint+"-"):
				return Errorf("RouteNotSupported", "Route table contains unsupported route target: %s. VPC Endpoints of this type cannot be used as route targets.", target)
			case !strings.HasPrefix(target, vpce.PrefixIGW+"-"):
				return Errorf("InvalidGatewayID.NotFound", "The gateway ID '%s' does not exist", target)
			}
			i := slices.IndexFunc(s.InternetGateways, func(g vpce.InternetGateway) bool { return g.ID == target })
			switch {
			case i < 0:
				return Errorf("InvalidGatewayID.NotFound", "The gateway ID '%s' does not exist", target)
			case s.InternetGateways[i].VPCID != r.VPCID:
				return Errorf("InvalidParameterValue", "route table %s and network gateway %s belong to different networks", r.ID, target)
			}
		case "VpcPeeringConnectionId":
			i := slices.IndexFunc(s.Peerings, func(pc vpce.Peering) bool { return pc.ID == target })
			if i < 0 {
				return missingIDs("InvalidVpcPeeringConnectionID.NotFound", "vpcPeeringConnection", []string{target})
			}
			if _, ok := s.Peerings[i].Connects(r.VPCID); !ok {
				return Errorf("InvalidParameterValue", "route table %s and peering connection %s belong to different networks", r.ID, target)
			}
		default:
			return Errorf("InvalidParameterValue", "Routes to %s are not emulated: a route's target is an internet gateway (GatewayId igw-…) or a peering connection (VpcPeeringConnectionId).", lowerFirst(targetParam))
		}
		if v.CIDR.Contains(dst.Addr()) && dst.Bits() >= v.CIDR.Bits() {
			return Errorf("InvalidParameterValue", "The destination CIDR block %s is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface or an instance.", dst)
		}
		r.Routes = append(r.Routes, route)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return returnTrue(req), nil
}

// deleteRoute removes a route CreateRoute made. The local route and the
// gateway endpoints' routes cannot be removed this way.
func deleteRoute(h *Handler, req *Request) (any, *Error) {
	p := req.Params
	err := h.change(req.Params, func(s *vpce.Spec) *Error {
		r, err := routeTableIn(s, p)
		if err != nil {
			return err
		}
		dst, pl, err := routeDestination(p)
		if err != nil {
			return err
		}
		if pl != "" {
			g, ok := gatewayRouteOf(s, r.ID, pl)
			if !ok {
				return Errorf("InvalidRoute.NotFound", "no route with destination-prefix-list-id %s in route table %s", pl, r.ID)
			}
			return Errorf("InvalidParameterValue", "cannot remove route %s in route table %s: it belongs to VPC endpoint %s (ModifyVpcEndpoint RemoveRouteTableId.N removes it)", pl, r.ID, g.ID)
		}
		v := s.VPCs[slices.IndexFunc(s.VPCs, func(v vpce.VPC) bool { return v.ID == r.VPCID })]
		if dst == v.CIDR {
			return Errorf("InvalidParameterValue", "cannot remove local route %s in route table %s", dst, r.ID)
		}
		i := slices.IndexFunc(r.Routes, func(o vpce.Route) bool { return o.Destination == dst })
		if i < 0 {
			return Errorf("InvalidRoute.NotFound", "no route with destination-cidr-block %s in route table %s", dst, r.ID)
		}
		r.Routes = slices.Delete(r.Routes, i, i+1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return returnTrue(req), nil
}

// describeInternetGatewaysResponse is DescribeInternetGateways' answer.
type describeInternetGatewaysResponse struct {
	XMLName xml.Name `xml:"DescribeInternetGatewaysResponse"`
	Meta
	InternetGateways itemSet[internetGatewayItem] `xml:"internetGatewaySet"`
	NextToken        string                       `xml:"nextToken,omitempty"`
}

type internetGatewayItem struct {
	InternetGatewayID string                     `xml:"internetGatewayId"`
	OwnerID           string                     `xml:"ownerId"`
	Attachments       itemSet[gatewayAttachment] `xml:"attachmentSet"`
	Tags              TagSet                     `xml:"tagSet,omitempty"`
}

type gatewayAttachment struct {
	VpcID string `xml:"vpcId"`
	State string `xml:"state"`
}

func internetGatewayNotFound(ids []string) *Error {
	return missingIDs("InvalidInternetGatewayID.NotFound", "internetGateway", ids)
}

func internetGatewayLister(t *vpce.Topology) lister[vpce.InternetGateway] {
	return lister[vpce.InternetGateway]{
		idParam:  "InternetGatewayId",
		notFound: internetGatewayNotFound,
		filters:  []string{"internet-gateway-id", "attachment.vpc-id", "attachment.state", "owner-id", "tag:", "tag-key"},
		id:       func(g vpce.InternetGateway) string { return g.ID },
		values: func(g vpce.InternetGateway, name string) []string {
			switch name {
			case "internet-gateway-id":
				return []string{g.ID}
			case "owner-id":
				return []string{t.Account()}
			case "attachment.vpc-id":
				if g.VPCID != "" {
					return []string{g.VPCID}
				}
			case "attachment.state":
				if g.VPCID != "" {
					return []string{"available"}
				}
			}
			return nil
		},
		tags: func(g vpce.InternetGateway) []vpce.Tag { return g.Tags },
	}
}

func describeInternetGateways(h *Handler, req *Request) (any, *Error) {
	t := h.b.Topology()
	igws, next, err := internetGatewayLister(t).list(req, t.InternetGateways())
	if err != nil {
		return nil, err
	}
	resp := &describeInternetGatewaysResponse{Meta: NewMeta(req), NextToken: next}
	for _, g := range igws {
		it := internetGatewayItem{InternetGatewayID: g.ID, OwnerID: t.Account(), Tags: XMLTags(g.Tags)}
		if g.VPCID != "" {
			it.Attachments = []gatewayAttachment{{VpcID: g.VPCID, State: "available"}}
		}
		resp.InternetGateways = append(resp.InternetGateways, it)
	}
	return resp, nil
}

// gatewayAndVPC finds the request's InternetGatewayId and VpcId in s.
func gatewayAndVPC(s *vpce.Spec, p Params) (*vpce.InternetGateway, string, *Error) {
	id, vpc := p.String("InternetGatewayId"), p.String("VpcId")
	switch {
	case id == "":
		return nil, "", missingParameter("internetGatewayId")
	case vpc == "":
		return nil, "", missingParameter("vpcId")
	}
	i := slices.IndexFunc(s.InternetGateways, func(g vpce.InternetGateway) bool { return g.ID == id })
	if i < 0 {
		return nil, "", internetGatewayNotFound([]string{id})
	}
	if !slices.ContainsFunc(s.VPCs, func(v vpce.VPC) bool { return v.ID == vpc }) {
		return nil, "", missingIDs("InvalidVpcID.NotFound", "vpc", []string{vpc})
	}
	return &s.InternetGateways[i], vpc, nil
}

func attachInternetGateway(h *Handler, req *Request) (any, *Error) {
	err := h.change(req.Params, func(s *vpce.Spec) *Error {
		g, vpc, err := gatewayAndVPC(s, req.Params)
		if err != nil {
			return err
		}
		if g.VPCID != "" {
			return Errorf("Resource.AlreadyAssociated", "resource %s is already attached to network %s", g.ID, g.VPCID)
		}
		if i := slices.IndexFunc(s.InternetGateways, func(o vpce.InternetGateway) bool { return o.VPCID == vpc }); i >= 0 {
			return Errorf("Resource.AlreadyAssociated", "Network %s already has an internet gateway attached", vpc)
		}
		g.VPCID = vpc
		return nil
	})
	if err != nil {
		return nil, err
	}
	return returnTrue(req), nil
}

// detachInternetGateway detaches a gateway from its VPC. EC2 lets routes
// to a detached gateway stay, as blackhole routes; the model has no
// blackhole routes, so a route that still targets the gateway is a
// DependencyViolation here, naming the route to delete first.
func detachInternetGateway(h *Handler, req *Request) (any, *Error) {
	err := h.change(req.Params, func(s *vpce.Spec) *Error {
		g, vpc, err := gatewayAndVPC(s, req.Params)
		if err != nil {
			return err
		}
		if g.VPCID != vpc {
			return Errorf("Gateway.NotAttached", "resource %s is not attached to network %s", g.ID, vpc)
		}
		for _, r := range s.RouteTables {
			for _, rt := range r.Routes {
				if rt.Target == g.ID {
					return Errorf("DependencyViolation", "The internetGateway '%s' has dependencies and cannot be detached: route %s in route table %s targets it (delete the route first; the emulator does not model blackhole routes).", g.ID, rt.Destination, r.ID)
				}
			}
		}
		g.VPCID = ""
		return nil
	})
	if err != nil {
		return nil, err
	}
	return returnTrue(req), nil
}
