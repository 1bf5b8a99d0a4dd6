package ec2api

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/xml"
	"errors"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/policy"
)

// endpointActions are the VPC endpoint actions.
func endpointActions() map[string]actionFunc {
	return map[string]actionFunc{
		"CreateVpcEndpoint":           createVpcEndpoint,
		"DescribeVpcEndpoints":        describeVpcEndpoints,
		"ModifyVpcEndpoint":           modifyVpcEndpoint,
		"DeleteVpcEndpoints":          deleteVpcEndpoints,
		"DescribeVpcEndpointServices": describeVpcEndpointServices,
		"DescribePrefixLists":         describePrefixLists,
	}
}

// Endpoint types, as EC2 names them.
const (
	typeInterface = "Interface"
	typeGateway   = "Gateway"
)

// vpceHostedZoneID is the public hosted zone of the vpce.amazonaws.com
// names EC2 reports in DnsEntries.
const vpceHostedZoneID = "Z7HUB22UULQXV"

// The default endpoint policies EC2 shows: an interface endpoint's as EC2
// pretty-prints it, a gateway endpoint's with Version 2008-10-17 and an
// empty Sid.
const (
	defaultInterfacePolicy = "{\n  \"Statement\": [\n    {\n      \"Action\": \"*\", \n      \"Effect\": \"Allow\", \n      \"Principal\": \"*\", \n      \"Resource\": \"*\"\n    }\n  ]\n}"
	defaultGatewayPolicy   = `{"Version":"2008-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`
)

// timeFormat is EC2's MillisecondDateTime: RFC 3339, milliseconds, UTC.
const timeFormat = "2006-01-02T15:04:05.000Z"

// vpcEndpointXML is EC2's VpcEndpoint shape.
type vpcEndpointXML struct {
	VpcEndpointID       string         `xml:"vpcEndpointId"`
	VpcEndpointType     string         `xml:"vpcEndpointType"`
	VpcID               string         `xml:"vpcId"`
	ServiceName         string         `xml:"serviceName"`
	State               string         `xml:"state"`
	PolicyDocument      string         `xml:"policyDocument"`
	RouteTableIDs       ItemSet        `xml:"routeTableIdSet"`
	SubnetIDs           ItemSet        `xml:"subnetIdSet"`
	Groups              groupSet       `xml:"groupSet"`
	IPAddressType       string         `xml:"ipAddressType,omitempty"`
	DNSOptions          *dnsOptionsXML `xml:"dnsOptions"`
	PrivateDNSEnabled   bool           `xml:"privateDnsEnabled"`
	RequesterManaged    bool           `xml:"requesterManaged"`
	NetworkInterfaceIDs ItemSet        `xml:"networkInterfaceIdSet"`
	DNSEntries          dnsEntrySet    `xml:"dnsEntrySet"`
	CreationTimestamp   string         `xml:"creationTimestamp,omitempty"`
	Tags                TagSet         `xml:"tagSet"`
	OwnerID             string         `xml:"ownerId"`
}

type groupXML struct {
	GroupID   string `xml:"groupId"`
	GroupName string `xml:"groupName"`
}

type groupSet []groupXML

func (s groupSet) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalItems(e, start, s)
}

type dnsEntryXML struct {
	DNSName      string `xml:"dnsName"`
	HostedZoneID string `xml:"hostedZoneId"`
}

type dnsEntrySet []dnsEntryXML

func (s dnsEntrySet) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalItems(e, start, s)
}

type dnsOptionsXML struct {
	DNSRecordIPType                          string `xml:"dnsRecordIpType"`
	PrivateDNSOnlyForInboundResolverEndpoint bool   `xml:"privateDnsOnlyForInboundResolverEndpoint"`
}

// account is the topology's account.
func account(t *vpce.Topology) string { return t.Account() }

// interfaceXML renders an interface endpoint as EC2 describes it.
func interfaceXML(t *vpce.Topology, e *vpce.Endpoint) vpcEndpointXML {
	x := vpcEndpointXML{
		VpcEndpointID:     e.ID,
		VpcEndpointType:   typeInterface,
		VpcID:             e.VPCID,
		ServiceName:       e.ServiceName(),
		State:             e.StateOrDefault(),
		PolicyDocument:    e.Policy,
		RouteTableIDs:     ItemSet{},
		IPAddressType:     "ipv4",
		DNSOptions:        &dnsOptionsXML{DNSRecordIPType: "ipv4", PrivateDNSOnlyForInboundResolverEndpoint: e.PrivateDNSOnlyForInboundResolverEndpoint},
		PrivateDNSEnabled: e.PrivateDNS,
		CreationTimestamp: formatTime(e.Created),
		Tags:              XMLTags(e.Tags),
		OwnerID:           e.OwnerID,
	}
	if x.PolicyDocument == "" {
		x.PolicyDocument = defaultInterfacePolicy
	}
	if x.OwnerID == "" {
		x.OwnerID = account(t)
	}
	for _, z := range e.Zones {
		if z.SubnetID != "" {
			x.SubnetIDs = append(x.SubnetIDs, z.SubnetID)
		}
		x.NetworkInterfaceIDs = append(x.NetworkInterfaceIDs, z.ENIID)
	}
	for _, id := range e.SecurityGroups {
		g := groupXML{GroupID: id}
		if sg, ok := t.SecurityGroup(id); ok {
			g.GroupName = sg.Name
		}
		x.Groups = append(x.Groups, g)
	}
	x.DNSEntries = append(x.DNSEntries, dnsEntryXML{DNSName: "*." + e.RegionalName(), HostedZoneID: vpceHostedZoneID})
	for _, z := range e.Zones {
		x.DNSEntries = append(x.DNSEntries, dnsEntryXML{DNSName: "*." + e.ZonalName(z.Name), HostedZoneID: vpceHostedZoneID})
	}
	if e.PrivateDNS {
		zone := privateHostedZoneID(x.OwnerID, e.VPCID, e.Region)
		for _, n := range privateDNSEntries(e.Region) {
			x.DNSEntries = append(x.DNSEntries, dnsEntryXML{DNSName: n, HostedZoneID: zone})
		}
	}
	return x
}

// gatewayXML renders a gateway endpoint as EC2 describes it.
func gatewayXML(t *vpce.Topology, g *vpce.GatewayEndpoint) vpcEndpointXML {
	x := vpcEndpointXML{
		VpcEndpointID:       g.ID,
		VpcEndpointType:     typeGateway,
		VpcID:               g.VPCID,
		ServiceName:         vpce.S3ServiceName(g.Region),
		State:               gatewayState(g),
		PolicyDocument:      g.Policy,
		RouteTableIDs:       ItemSet(slices.Clone(g.RouteTables)),
		SubnetIDs:           ItemSet{},
		NetworkInterfaceIDs: ItemSet{},
		CreationTimestamp:   formatTime(g.Created),
		Tags:                XMLTags(g.Tags),
		OwnerID:             account(t),
	}
	if x.RouteTableIDs == nil {
		x.RouteTableIDs = ItemSet{}
	}
	if x.PolicyDocument == "" {
		x.PolicyDocument = defaultGatewayPolicy
	}
	return x
}

func gatewayState(g *vpce.GatewayEndpoint) string {
	if g.State == "" {
		return "available"
	}
	return g.State
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

// privateDNSEntries are the private names EC2 lists in DnsEntries for an
// S3 interface endpoint with private DNS: the bare S3 name and the
// wildcards of S3, S3 Control and S3 access points.
func privateDNSEntries(region string) []string {
	var out []string
	for _, n := range vpce.PrivateDNSNames(region) {
		if strings.HasPrefix(n, "s3.") {
			out = append(out, n)
		}
		out = append(out, "*."+n)
	}
	return out
}

// privateHostedZoneID is the ID of the private hosted zone that holds an
// endpoint's private DNS names: "Z" and 20 upper-case letters and digits,
// stable for the account, VPC and region.
func privateHostedZoneID(account, vpc, region string) string {
	sum := sha256.Sum256([]byte(account + "|" + vpc + "|" + region))
	return "Z" + base32.StdEncoding.EncodeToString(sum[:])[:20]
}

// region is the request's region (us-east-1 when unsigned).
func region(req *Request) string {
	if req.Region == "" {
		return vpce.DefaultRegion
	}
	return req.Region
}

// mapUpdateError turns an error of Backend.UpdateTopology into EC2's:
// an *Error from the change itself as it is, a *vpce.FieldError (Build
// refusing the result for a reason not checked before) as
// InvalidParameterValue with its message.
func mapUpdateError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var fe *vpce.FieldError
	if errors.As(err, &fe) {
		return Errorf("InvalidParameterValue", "%s", fe.Msg)
	}
	return &Error{Status: http.StatusInternalServerError, Code: "InternalError", Message: "An internal error has occurred: " + err.Error()}
}

// update runs change on a copy of the current Spec through the Backend;
// change's *Error comes back as it is.
func (h *Handler) update(change func(s *vpce.Spec) *Error) (*vpce.Topology, *Error) {
	t, err := h.b.UpdateTopology(func(s *vpce.Spec) error {
		if e := change(s); e != nil {
			return e
		}
		return nil
	})
	if err != nil {
		return nil, mapUpdateError(err)
	}
	return t, nil
}

// dryRun runs change on a copy of the current Spec and builds the result
// without swapping it in: DryRunOperation when the request would have
// succeeded, else the error it would have had.
func (h *Handler) dryRun(change func(s *vpce.Spec) *Error) *Error {
	s := h.b.Topology().Spec()
	if e := change(&s); e != nil {
		return e
	}
	if _, err := vpce.Build(s); err != nil {
		return mapUpdateError(err)
	}
	return DryRunError()
}

// dryRunSet reports whether DryRun=true (an invalid value is an error).
func dryRunSet(p Params) (bool, *Error) {
	on, _, err := p.Bool("DryRun")
	return on, err
}

// checkID checks that id has the form of an EC2 resource ID of prefix:
// else code (e.g. InvalidVpcEndpointId.Malformed) with EC2's message.
func checkID(code, prefix, id string) *Error {
	if vpce.ValidResourceID(prefix, id) {
		return nil
	}
	return Errorf(code, "Invalid Id: '%s' (expecting '%s-...; the Id may only contain lowercase alphanumeric characters and a single dash')", id, prefix)
}

// checkPolicy validates an endpoint policy document for an endpoint of
// type typ, with EC2's InvalidPolicyDocument.
func checkPolicy(doc, typ string) *Error {
	kind := policy.KindEndpoint
	if typ == typeGateway {
		kind = policy.KindGatewayEndpoint
	}
	if _, err := policy.Parse([]byte(doc), policy.WithKind(kind)); err != nil {
		return Errorf("InvalidPolicyDocument", "The Policy Document is not valid. %s", strings.TrimPrefix(err.Error(), "policy: "))
	}
	return nil
}

// Lookups in a Spec (the copy a change edits).

func specVPC(s *vpce.Spec, id string) (*vpce.VPC, *Error) {
	if e := checkID("InvalidVpcId.Malformed", vpce.PrefixVPC, id); e != nil {
		return nil, e
	}
	for i := range s.VPCs {
		if s.VPCs[i].ID == id {
			return &s.VPCs[i], nil
		}
	}
	return nil, Errorf("InvalidVpcId.NotFound", "The vpc ID '%s' does not exist", id)
}

func specSubnet(s *vpce.Spec, id, vpc string) (*vpce.Subnet, *Error) {
	if e := checkID("InvalidSubnetID.Malformed", vpce.PrefixSubnet, id); e != nil {
		return nil, e
	}
	for i := range s.Subnets {
		if sub := &s.Subnets[i]; sub.ID == id {
			if sub.VPCID != vpc {
				return nil, Errorf("InvalidParameter", "The subnet '%s' does not belong to VPC '%s'.", id, vpc)
			}
			return sub, nil
		}
	}
	return nil, Errorf("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", id)
}

func specGroup(s *vpce.Spec, id, vpc string) *Error {
	if e := checkID("InvalidGroupId.Malformed", vpce.PrefixGroup, id); e != nil {
		return e
	}
	for _, g := range s.SecurityGroups {
		if g.ID == id {
			if g.VPCID != vpc {
				return Errorf("InvalidParameter", "Security group %s and VPC %s belong to different networks.", id, vpc)
			}
			return nil
		}
	}
	return Errorf("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
}

func specRouteTable(s *vpce.Spec, id, vpc string) *Error {
	if e := checkID("InvalidRouteTableId.Malformed", vpce.PrefixRTB, id); e != nil {
		return e
	}
	for _, r := range s.RouteTables {
		if r.ID == id {
			if r.VPCID != vpc {
				return Errorf("InvalidParameter", "Route table %s does not belong to VPC %s.", id, vpc)
			}
			return nil
		}
	}
	return Errorf("InvalidRouteTableId.NotFound", "The routeTable ID '%s' does not exist", id)
}

// specEndpoint finds an endpoint by ID: its index among the interface
// endpoints or among the gateway endpoints (the other is -1).
func specEndpoint(s *vpce.Spec, id string) (iface, gw int, err *Error) {
	if e := checkID("InvalidVpcEndpointId.Malformed", vpce.PrefixEndpoint, id); e != nil {
		return -1, -1, e
	}
	for i := range s.Endpoints {
		if s.Endpoints[i].ID == id {
			return i, -1, nil
		}
	}
	for i := range s.GatewayEndpoints {
		if s.GatewayEndpoints[i].ID == id {
			return -1, i, nil
		}
	}
	return -1, -1, endpointNotFound(id)
}

func endpointNotFound(id string) *Error {
	return Errorf("InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id '%s' does not exist", id)
}

// hasGateway reports whether the VPC has an S3 gateway endpoint in region.
func hasGateway(s *vpce.Spec, vpc, region string) bool {
	for _, g := range s.GatewayEndpoints {
		if g.VPCID == vpc && g.Region == region {
			return true
		}
	}
	return false
}

// inboundOnlyError is AWS's refusal of PrivateDnsOnlyForInboundResolverEndpoint
// in a VPC without a gateway endpoint.
func inboundOnlyError(vpc string) *Error {
	return Errorf("InvalidParameter", "To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC %s must have a Gateway endpoint for the service.", vpc)
}

// routeInUse reports a route table that already routes the S3 prefix list
// through another gateway endpoint.
func routeInUse(s *vpce.Spec, rtb, region, except string) *Error {
	for _, g := range s.GatewayEndpoints {
		if g.ID != except && g.Region == region && slices.Contains(g.RouteTables, rtb) {
			return Errorf("RouteAlreadyExists", "The route table %s already has a route with destination-prefix-list-id %s", rtb, vpce.S3PrefixListID(region))
		}
	}
	return nil
}

// freeHost is the lowest usable address of sub not in use in its VPC (by
// an instance, an endpoint's network interface or taken), skipping the
// five addresses AWS reserves.
func freeHost(s *vpce.Spec, sub *vpce.Subnet, taken []netip.Addr) (netip.Addr, *Error) {
	used := map[netip.Addr]bool{}
	for _, a := range taken {
		used[a] = true
	}
	for _, in := range s.Instances {
		used[in.PrivateIP] = true
	}
	for _, e := range s.Endpoints {
		if e.VPCID != sub.VPCID {
			continue
		}
		for _, z := range e.Zones {
			used[z.IP] = true
		}
	}
	p := sub.CIDR.Masked()
	a := p.Addr().Next().Next().Next().Next()
	for ; a.IsValid() && p.Contains(a); a = a.Next() {
		if !p.Contains(a.Next()) { // the last address is reserved
			break
		}
		if !used[a] {
			return a, nil
		}
	}
	return netip.Addr{}, Errorf("InsufficientFreeAddressesInSubnet", "The specified subnet %s does not have enough free addresses to satisfy the request.", sub.ID)
}

// sortedEndpoints lists every endpoint of t, interface and gateway, by ID:
// the order of DescribeVpcEndpoints and of its pages.
func sortedEndpoints(t *vpce.Topology) []endpointRef {
	ifs, gws := t.Endpoints(), t.GatewayEndpoints()
	out := make([]endpointRef, 0, len(ifs)+len(gws))
	for i := range ifs {
		out = append(out, endpointRef{iface: &ifs[i]})
	}
	for i := range gws {
		out = append(out, endpointRef{gw: &gws[i]})
	}
	slices.SortFunc(out, func(a, b endpointRef) int { return strings.Compare(a.id(), b.id()) })
	return out
}

// endpointRef is one endpoint of either type.
type endpointRef struct {
	iface *vpce.Endpoint
	gw    *vpce.GatewayEndpoint
}

func (r endpointRef) id() string {
	if r.iface != nil {
		return r.iface.ID
	}
	return r.gw.ID
}

func (r endpointRef) xml(t *vpce.Topology) vpcEndpointXML {
	if r.iface != nil {
		return interfaceXML(t, r.iface)
	}
	return gatewayXML(t, r.gw)
}

// filterValues are the endpoint's values for DescribeVpcEndpoints' filters.
func (r endpointRef) filterValues(name string) []string {
	switch {
	case r.iface != nil:
		e := r.iface
		switch name {
		case "vpc-endpoint-id":
			return []string{e.ID}
		case "vpc-id":
			return []string{e.VPCID}
		case "service-name":
			return []string{e.ServiceName()}
		case "service-region":
			return []string{e.Region}
		case "vpc-endpoint-state":
			return []string{e.StateOrDefault()}
		case "vpc-endpoint-type":
			return []string{typeInterface}
		case "ip-address-type":
			return []string{"ipv4"}
		}
	default:
		g := r.gw
		switch name {
		case "vpc-endpoint-id":
			return []string{g.ID}
		case "vpc-id":
			return []string{g.VPCID}
		case "service-name":
			return []string{vpce.S3ServiceName(g.Region)}
		case "service-region":
			return []string{g.Region}
		case "vpc-endpoint-state":
			return []string{gatewayState(g)}
		case "vpc-endpoint-type":
			return []string{typeGateway}
		}
	}
	return nil
}

func (r endpointRef) tags() []vpce.Tag {
	if r.iface != nil {
		return r.iface.Tags
	}
	return r.gw.Tags
}
