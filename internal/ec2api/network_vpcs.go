package ec2api

import (
	"encoding/xml"
	"net/netip"
	"strconv"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// describeVpcsResponse is DescribeVpcs' answer.
type describeVpcsResponse struct {
	XMLName xml.Name `xml:"DescribeVpcsResponse"`
	Meta
	Vpcs      itemSet[vpcItem] `xml:"vpcSet"`
	NextToken string           `xml:"nextToken,omitempty"`
}

type vpcItem struct {
	VpcID                   string                        `xml:"vpcId"`
	OwnerID                 string                        `xml:"ownerId"`
	State                   string                        `xml:"state"`
	CidrBlock               string                        `xml:"cidrBlock"`
	CidrBlockAssociationSet itemSet[cidrBlockAssociation] `xml:"cidrBlockAssociationSet"`
	DhcpOptionsID           string                        `xml:"dhcpOptionsId"`
	Tags                    TagSet                        `xml:"tagSet,omitempty"`
	InstanceTenancy         string                        `xml:"instanceTenancy"`
	IsDefault               bool                          `xml:"isDefault"`
}

type cidrBlockAssociation struct {
	AssociationID  string     `xml:"associationId"`
	CidrBlock      string     `xml:"cidrBlock"`
	CidrBlockState stateValue `xml:"cidrBlockState"`
}

// stateValue is EC2's <state>…</state> structure (CidrBlockState,
// AssociationState, InternetGatewayAttachment's state is a plain string).
type stateValue struct {
	State string `xml:"state"`
}

// dhcpOptionsID is the account's one DHCP option set, AmazonProvidedDNS.
func dhcpOptionsID(account string) string { return stableID("dopt", account, "AmazonProvidedDNS") }

func vpcLister(t *vpce.Topology) lister[vpce.VPC] {
	return lister[vpce.VPC]{
		idParam:  "VpcId",
		notFound: func(ids []string) *Error { return missingIDs("InvalidVpcID.NotFound", "vpc", ids) },
		filters: []string{"vpc-id", "cidr", "cidr-block-association.cidr-block", "cidr-block-association.state",
			"is-default", "state", "owner-id", "dhcp-options-id", "tag:", "tag-key"},
		id: func(v vpce.VPC) string { return v.ID },
		values: func(v vpce.VPC, name string) []string {
			switch name {
			case "vpc-id":
				return []string{v.ID}
			case "cidr", "cidr-block-association.cidr-block":
				return []string{v.CIDR.String()}
			case "cidr-block-association.state":
				return []string{"associated"}
			case "is-default":
				return []string{boolString(v.IsDefault)}
			case "state":
				return []string{"available"}
			case "owner-id":
				return []string{t.Account()}
			case "dhcp-options-id":
				return []string{dhcpOptionsID(t.Account())}
			}
			return nil
		},
		tags: func(v vpce.VPC) []vpce.Tag { return v.Tags },
	}
}

func describeVpcs(h *Handler, req *Request) (any, *Error) {
	t := h.b.Topology()
	vpcs, next, err := vpcLister(t).list(req, t.VPCs())
	if err != nil {
		return nil, err
	}
	resp := &describeVpcsResponse{Meta: NewMeta(req), NextToken: next}
	for _, v := range vpcs {
		resp.Vpcs = append(resp.Vpcs, vpcItem{
			VpcID:     v.ID,
			OwnerID:   t.Account(),
			State:     "available",
			CidrBlock: v.CIDR.String(),
			CidrBlockAssociationSet: itemSet[cidrBlockAssociation]{{
				AssociationID:  stableID("vpc-cidr-assoc", v.ID, v.CIDR.String()),
				CidrBlock:      v.CIDR.String(),
				CidrBlockState: stateValue{State: "associated"},
			}},
			DhcpOptionsID:   dhcpOptionsID(t.Account()),
			Tags:            XMLTags(v.Tags),
			InstanceTenancy: "default",
			IsDefault:       v.IsDefault,
		})
	}
	return resp, nil
}

// describeSubnetsResponse is DescribeSubnets' answer.
type describeSubnetsResponse struct {
	XMLName xml.Name `xml:"DescribeSubnetsResponse"`
	Meta
	Subnets   itemSet[subnetItem] `xml:"subnetSet"`
	NextToken string              `xml:"nextToken,omitempty"`
}

type subnetItem struct {
	SubnetID                    string            `xml:"subnetId"`
	SubnetArn                   string            `xml:"subnetArn"`
	State                       string            `xml:"state"`
	OwnerID                     string            `xml:"ownerId"`
	VpcID                       string            `xml:"vpcId"`
	CidrBlock                   string            `xml:"cidrBlock"`
	Ipv6CidrBlockAssociationSet itemSet[struct{}] `xml:"ipv6CidrBlockAssociationSet"`
	AvailableIPAddressCount     int               `xml:"availableIpAddressCount"`
	AvailabilityZone            string            `xml:"availabilityZone"`
	AvailabilityZoneID          string            `xml:"availabilityZoneId"`
	DefaultForAz                bool              `xml:"defaultForAz"`
	MapPublicIPOnLaunch         bool              `xml:"mapPublicIpOnLaunch"`
	AssignIpv6AddressOnCreation bool              `xml:"assignIpv6AddressOnCreation"`
	Tags                        TagSet            `xml:"tagSet,omitempty"`
}

// availableIPs is how many addresses of sub are free: its CIDR's size
// less the five AWS reserves and the addresses instances and endpoint
// network interfaces hold in it.
func availableIPs(t *vpce.Topology, sub *vpce.Subnet) int {
	n := 1<<(32-sub.CIDR.Bits()) - 5
	in := func(ip netip.Addr) {
		if sub.CIDR.Contains(ip) {
			n--
		}
	}
	for _, i := range t.Instances() {
		if i.SubnetID == sub.ID {
			in(i.PrivateIP)
		}
	}
	for _, e := range t.Endpoints() {
		if e.VPCID != sub.VPCID {
			continue
		}
		for _, z := range e.Zones {
			in(z.IP)
		}
	}
	return max(n, 0)
}

func subnetLister(t *vpce.Topology) lister[vpce.Subnet] {
	return lister[vpce.Subnet]{
		idParam:  "SubnetId",
		notFound: func(ids []string) *Error { return missingIDs("InvalidSubnetID.NotFound", "subnet", ids) },
		filters: []string{"subnet-id", "vpc-id", "availability-zone", "availability-zone-id", "availabilityZone",
			"cidr-block", "cidr", "cidrBlock", "default-for-az", "defaultForAz", "state", "owner-id",
			"available-ip-address-count", "map-public-ip-on-launch", "subnet-arn", "tag:", "tag-key"},
		id: func(s vpce.Subnet) string { return s.ID },
		values: func(s vpce.Subnet, name string) []string {
			v, _ := t.VPC(s.VPCID)
			switch name {
			case "subnet-id":
				return []string{s.ID}
			case "vpc-id":
				return []string{s.VPCID}
			case "availability-zone", "availabilityZone":
				return []string{s.AZ}
			case "availability-zone-id":
				return []string{azID(s.AZ)}
			case "cidr-block", "cidr", "cidrBlock":
				return []string{s.CIDR.String()}
			case "default-for-az", "defaultForAz":
				return []string{boolString(v.IsDefault)}
			case "state":
				return []string{"available"}
			case "owner-id":
				return []string{t.Account()}
			case "available-ip-address-count":
				return []string{strconv.Itoa(availableIPs(t, &s))}
			case "map-public-ip-on-launch":
				return []string{"false"}
			case "subnet-arn":
				return []string{subnetARN(t, s)}
			}
			return nil
		},
		tags: func(s vpce.Subnet) []vpce.Tag { return s.Tags },
	}
}

func subnetARN(t *vpce.Topology, s vpce.Subnet) string {
	return "arn:aws:ec2:" + azRegion(s.AZ) + ":" + t.Account() + ":subnet/" + s.ID
}

func describeSubnets(h *Handler, req *Request) (any, *Error) {
	t := h.b.Topology()
	subs, next, err := subnetLister(t).list(req, t.Subnets())
	if err != nil {
		return nil, err
	}
	resp := &describeSubnetsResponse{Meta: NewMeta(req), NextToken: next}
	for _, s := range subs {
		v, _ := t.VPC(s.VPCID)
		resp.Subnets = append(resp.Subnets, subnetItem{
			SubnetID:                s.ID,
			SubnetArn:               subnetARN(t, s),
			State:                   "available",
			OwnerID:                 t.Account(),
			VpcID:                   s.VPCID,
			CidrBlock:               s.CIDR.String(),
			AvailableIPAddressCount: availableIPs(t, &s),
			AvailabilityZone:        s.AZ,
			AvailabilityZoneID:      azID(s.AZ),
			DefaultForAz:            v.IsDefault,
			Tags:                    XMLTags(s.Tags),
		})
	}
	return resp, nil
}
