package ec2api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"slices"
	"strings"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

type describeVpcEndpointsResponse struct {
	XMLName xml.Name `xml:"DescribeVpcEndpointsResponse"`
	Meta
	VpcEndpoints vpcEndpointSet `xml:"vpcEndpointSet"`
	NextToken    string         `xml:"nextToken,omitempty"`
}

type vpcEndpointSet []vpcEndpointXML

func (s vpcEndpointSet) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalItems(e, start, s)
}

// describeVpcEndpoints is DescribeVpcEndpoints: VpcEndpointId.N (each must
// exist), filters, MaxResults (at most 1,000 returned) and NextToken, in
// endpoint ID order.
func describeVpcEndpoints(h *Handler, req *Request) (any, *Error) {
	p := req.Params
	ids := p.List("VpcEndpointId")
	for _, id := range ids {
		if err := checkID("InvalidVpcEndpointId.Malformed", vpce.PrefixEndpoint, id); err != nil {
			return nil, err
		}
	}
	filters, err := ParseFilters(p, "vpc-endpoint-id", "vpc-id", "service-name", "service-region",
		"vpc-endpoint-state", "vpc-endpoint-type", "ip-address-type", "tag-key", "tag:")
	if err != nil {
		return nil, err
	}
	pg, err := ParsePage(p, req.Action, clampPages)
	if err != nil {
		return nil, err
	}
	if err := DryRun(p); err != nil {
		return nil, err
	}
	t := h.b.Topology()
	for _, id := range ids {
		_, ok := t.Endpoint(id)
		if _, gw := t.GatewayEndpoint(id); !ok && !gw {
			return nil, endpointNotFound(id)
		}
	}
	all := sortedEndpoints(t)
	matched := all[:0:0]
	for _, r := range all {
		if len(ids) > 0 && !slices.Contains(ids, r.id()) {
			continue
		}
		if filters.Match(r.filterValues, r.tags()) {
			matched = append(matched, r)
		}
	}
	page, next := Paginate(matched, endpointRef.id, req.Action, pg)
	resp := &describeVpcEndpointsResponse{Meta: NewMeta(req), VpcEndpoints: make(vpcEndpointSet, len(page)), NextToken: next}
	for i, r := range page {
		resp.VpcEndpoints[i] = r.xml(t)
	}
	return resp, nil
}

type describeVpcEndpointServicesResponse struct {
	XMLName xml.Name `xml:"DescribeVpcEndpointServicesResponse"`
	Meta
	ServiceNames   ItemSet          `xml:"serviceNameSet"`
	ServiceDetails serviceDetailSet `xml:"serviceDetailSet"`
	NextToken      string           `xml:"nextToken,omitempty"`
}

// serviceDetailXML is EC2's ServiceDetail shape.
type serviceDetailXML struct {
	ServiceName                     string         `xml:"serviceName"`
	ServiceID                       string         `xml:"serviceId"`
	ServiceType                     serviceTypeSet `xml:"serviceType"`
	ServiceRegion                   string         `xml:"serviceRegion"`
	AvailabilityZones               ItemSet        `xml:"availabilityZoneSet"`
	Owner                           string         `xml:"owner"`
	BaseEndpointDNSNames            ItemSet        `xml:"baseEndpointDnsNameSet"`
	PrivateDNSName                  string         `xml:"privateDnsName,omitempty"`
	PrivateDNSNames                 privateDNSSet  `xml:"privateDnsNameSet,omitempty"`
	VpcEndpointPolicySupported      bool           `xml:"vpcEndpointPolicySupported"`
	AcceptanceRequired              bool           `xml:"acceptanceRequired"`
	ManagesVpcEndpoints             bool           `xml:"managesVpcEndpoints"`
	Tags                            TagSet         `xml:"tagSet"`
	PrivateDNSNameVerificationState string         `xml:"privateDnsNameVerificationState,omitempty"`
	SupportedIPAddressTypes         ItemSet        `xml:"supportedIpAddressTypeSet"`
}

type serviceDetailSet []serviceDetailXML

func (s serviceDetailSet) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalItems(e, start, s)
}

type serviceTypeXML struct {
	ServiceType string `xml:"serviceType"`
}

type serviceTypeSet []serviceTypeXML

func (s serviceTypeSet) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalItems(e, start, s)
}

type privateDNSXML struct {
	PrivateDNSName string `xml:"privateDnsName"`
}

type privateDNSSet []privateDNSXML

func (s privateDNSSet) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalItems(e, start, s)
}

// s3Services are S3's two endpoint services in region, interface first.
func s3Services(t *vpce.Topology, region string) []serviceDetailXML {
	name := vpce.S3ServiceName(region)
	zones := regionZones(t, region)
	iface := serviceDetailXML{
		ServiceName:                     name,
		ServiceID:                       serviceID(region, typeInterface),
		ServiceType:                     serviceTypeSet{{ServiceType: typeInterface}},
		ServiceRegion:                   region,
		AvailabilityZones:               zones,
		Owner:                           "amazon",
		BaseEndpointDNSNames:            ItemSet{"s3." + region + ".vpce.amazonaws.com"},
		PrivateDNSName:                  "*.s3." + region + ".amazonaws.com",
		VpcEndpointPolicySupported:      true,
		PrivateDNSNameVerificationState: "verified",
		SupportedIPAddressTypes:         ItemSet{"ipv4"},
	}
	for _, n := range privateDNSEntries(region) {
		if n[0] == '*' {
			iface.PrivateDNSNames = append(iface.PrivateDNSNames, privateDNSXML{PrivateDNSName: n})
		}
	}
	gw := serviceDetailXML{
		ServiceName:                name,
		ServiceID:                  serviceID(region, typeGateway),
		ServiceType:                serviceTypeSet{{ServiceType: typeGateway}},
		ServiceRegion:              region,
		AvailabilityZones:          zones,
		Owner:                      "amazon",
		BaseEndpointDNSNames:       ItemSet{"s3." + region + ".amazonaws.com"},
		VpcEndpointPolicySupported: true,
		SupportedIPAddressTypes:    ItemSet{"ipv4"},
	}
	return []serviceDetailXML{iface, gw}
}

// serviceID is a stable vpce-svc- ID for S3's service of one type.
func serviceID(region, typ string) string {
	sum := sha256.Sum256([]byte("s3|" + region + "|" + typ))
	return "vpce-svc-" + hex.EncodeToString(sum[:])[:17]
}

// regionZones are the availability zones of region: a–f in us-east-1, a–c
// elsewhere, and any other zone a subnet of the topology is in.
func regionZones(t *vpce.Topology, region string) ItemSet {
	last := 'c'
	if region == "us-east-1" {
		last = 'f'
	}
	var zones ItemSet
	for c := 'a'; c <= last; c++ {
		zones = append(zones, region+string(c))
	}
	for _, s := range t.Subnets() {
		if len(s.AZ) == len(region)+1 && s.AZ[:len(region)] == region && !slices.Contains(zones, s.AZ) {
			zones = append(zones, s.AZ)
		}
	}
	slices.Sort(zones)
	return zones
}

// describeVpcEndpointServices is DescribeVpcEndpointServices: S3 in the
// request's region, as an interface and as a gateway service.
func describeVpcEndpointServices(h *Handler, req *Request) (any, *Error) {
	p := req.Params
	r := region(req)
	names := p.List("ServiceName")
	for _, n := range names {
		if n != vpce.S3ServiceName(r) {
			return nil, Errorf("InvalidServiceName", "The Vpc Endpoint Service '%s' does not exist", n)
		}
	}
	filters, err := ParseFilters(p, "service-name", "service-type", "service-region", "owner",
		"supported-ip-address-types", "tag-key", "tag:")
	if err != nil {
		return nil, err
	}
	pg, err := ParsePage(p, req.Action, clampPages)
	if err != nil {
		return nil, err
	}
	if err := DryRun(p); err != nil {
		return nil, err
	}
	var matched []serviceDetailXML
	for _, s := range s3Services(h.b.Topology(), r) {
		values := func(name string) []string {
			switch name {
			case "service-name":
				return []string{s.ServiceName}
			case "service-type":
				return []string{s.ServiceType[0].ServiceType}
			case "service-region":
				return []string{s.ServiceRegion}
			case "owner":
				return []string{s.Owner}
			case "supported-ip-address-types":
				return s.SupportedIPAddressTypes
			}
			return nil
		}
		if filters.Match(values, nil) {
			matched = append(matched, s)
		}
	}
	slices.SortFunc(matched, func(a, b serviceDetailXML) int { return strings.Compare(a.ServiceID, b.ServiceID) })
	page, next := Paginate(matched, func(s serviceDetailXML) string { return s.ServiceID }, req.Action, pg)
	resp := &describeVpcEndpointServicesResponse{Meta: NewMeta(req), ServiceNames: ItemSet{}, ServiceDetails: serviceDetailSet(page), NextToken: next}
	for _, s := range page {
		if !slices.Contains(resp.ServiceNames, s.ServiceName) {
			resp.ServiceNames = append(resp.ServiceNames, s.ServiceName)
		}
	}
	if resp.ServiceDetails == nil {
		resp.ServiceDetails = serviceDetailSet{}
	}
	return resp, nil
}

type describePrefixListsResponse struct {
	XMLName xml.Name `xml:"DescribePrefixListsResponse"`
	Meta
	PrefixLists prefixListSet `xml:"prefixListSet"`
	NextToken   string        `xml:"nextToken,omitempty"`
}

type prefixListXML struct {
	CIDRs          ItemSet `xml:"cidrSet"`
	PrefixListID   string  `xml:"prefixListId"`
	PrefixListName string  `xml:"prefixListName"`
}

type prefixListSet []prefixListXML

func (s prefixListSet) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalItems(e, start, s)
}

// s3CIDRs are S3's public IPv4 ranges in a region, the content of its
// prefix list; only us-east-1's are known (none elsewhere).
func s3CIDRs(region string) ItemSet {
	if region == "us-east-1" {
		return ItemSet{"3.5.0.0/19", "16.182.0.0/16", "18.34.0.0/19", "18.34.232.0/21", "52.216.0.0/15", "54.231.0.0/16"}
	}
	return ItemSet{}
}

// describePrefixLists is DescribePrefixLists: the AWS-managed prefix list
// of S3 in the request's region, the destination of gateway endpoint
// routes.
func describePrefixLists(h *Handler, req *Request) (any, *Error) {
	p := req.Params
	r := region(req)
	pl := prefixListXML{CIDRs: s3CIDRs(r), PrefixListID: vpce.S3PrefixListID(r), PrefixListName: vpce.S3ServiceName(r)}
	ids := p.List("PrefixListId")
	for _, id := range ids {
		if id != pl.PrefixListID {
			return nil, Errorf("InvalidPrefixListId.NotFound", "The prefix list ID '%s' does not exist", id)
		}
	}
	filters, err := ParseFilters(p, "prefix-list-id", "prefix-list-name")
	if err != nil {
		return nil, err
	}
	pg, err := ParsePage(p, req.Action, rangePages)
	if err != nil {
		return nil, err
	}
	if err := DryRun(p); err != nil {
		return nil, err
	}
	var matched []prefixListXML
	values := func(name string) []string {
		switch name {
		case "prefix-list-id":
			return []string{pl.PrefixListID}
		case "prefix-list-name":
			return []string{pl.PrefixListName}
		}
		return nil
	}
	if filters.Match(values, nil) {
		matched = append(matched, pl)
	}
	page, next := Paginate(matched, func(l prefixListXML) string { return l.PrefixListID }, req.Action, pg)
	resp := &describePrefixListsResponse{Meta: NewMeta(req), PrefixLists: prefixListSet(page), NextToken: next}
	if resp.PrefixLists == nil {
		resp.PrefixLists = prefixListSet{}
	}
	return resp, nil
}
