package ec2api

import (
	"encoding/xml"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// The fixed facts of every emulated instance: the model knows an
// instance's address, subnet and groups, not what runs on it.
const (
	instanceImageID = "ami-0c02fb55956c7d316"
	instanceType    = "t3.micro"
)

// describeInstancesResponse is DescribeInstances' answer: one reservation
// per instance.
type describeInstancesResponse struct {
	XMLName xml.Name `xml:"DescribeInstancesResponse"`
	Meta
	Reservations itemSet[reservationItem] `xml:"reservationSet"`
	NextToken    string                   `xml:"nextToken,omitempty"`
}

type reservationItem struct {
	ReservationID string                 `xml:"reservationId"`
	OwnerID       string                 `xml:"ownerId"`
	Groups        itemSet[groupIdentity] `xml:"groupSet"`
	Instances     itemSet[instanceItem]  `xml:"instancesSet"`
}

type groupIdentity struct {
	GroupID   string `xml:"groupId"`
	GroupName string `xml:"groupName"`
}

type instanceItem struct {
	InstanceID         string                 `xml:"instanceId"`
	ImageID            string                 `xml:"imageId"`
	InstanceState      instanceState          `xml:"instanceState"`
	PrivateDNSName     string                 `xml:"privateDnsName"`
	DNSName            string                 `xml:"dnsName"`
	Reason             string                 `xml:"reason"`
	AmiLaunchIndex     int                    `xml:"amiLaunchIndex"`
	ProductCodes       itemSet[struct{}]      `xml:"productCodes"`
	InstanceType       string                 `xml:"instanceType"`
	Placement          placement              `xml:"placement"`
	Monitoring         stateValue             `xml:"monitoring"`
	SubnetID           string                 `xml:"subnetId"`
	VpcID              string                 `xml:"vpcId"`
	PrivateIPAddress   string                 `xml:"privateIpAddress"`
	IPAddress          string                 `xml:"ipAddress,omitempty"`
	SourceDestCheck    bool                   `xml:"sourceDestCheck"`
	Groups             itemSet[groupIdentity] `xml:"groupSet"`
	Architecture       string                 `xml:"architecture"`
	RootDeviceType     string                 `xml:"rootDeviceType"`
	RootDeviceName     string                 `xml:"rootDeviceName"`
	VirtualizationType string                 `xml:"virtualizationType"`
	Hypervisor         string                 `xml:"hypervisor"`
	Tags               TagSet                 `xml:"tagSet,omitempty"`
}

type instanceState struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

type placement struct {
	AvailabilityZone string `xml:"availabilityZone"`
	GroupName        string `xml:"groupName"`
	Tenancy          string `xml:"tenancy"`
}

func checkInstanceID(id string) *Error {
	if !vpce.ValidResourceID(vpce.PrefixInstance, id) {
		return malformedID("InvalidInstanceID.Malformed", vpce.PrefixInstance, id)
	}
	return nil
}

// instanceRunning is EC2's state of a running instance, the only state an
// emulated instance has.
var instanceRunning = instanceState{Code: 16, Name: "running"}

func instanceLister(t *vpce.Topology) lister[vpce.Instance] {
	return lister[vpce.Instance]{
		idParam:  "InstanceId",
		checkID:  checkInstanceID,
		notFound: func(ids []string) *Error { return missingIDs("InvalidInstanceID.NotFound", "instance", ids) },
		filters: []string{"instance-id", "vpc-id", "subnet-id", "private-ip-address", "private-dns-name", "ip-address", "dns-name",
			"network-interface.addresses.private-ip-address", "instance-state-name", "instance-state-code",
			"availability-zone", "instance-type", "image-id", "owner-id", "instance.group-id", "instance.group-name",
			"group-id", "group-name", "tag:", "tag-key"},
		id: func(i vpce.Instance) string { return i.ID },
		values: func(i vpce.Instance, name string) []string {
			sub, _ := t.Subnet(i.SubnetID)
			switch name {
			case "instance-id":
				return []string{i.ID}
			case "vpc-id":
				return []string{sub.VPCID}
			case "subnet-id":
				return []string{i.SubnetID}
			case "private-ip-address", "network-interface.addresses.private-ip-address":
				return []string{i.PrivateIP.String()}
			case "private-dns-name":
				return []string{vpce.EC2Hostname(i.PrivateIP, azRegion(sub.AZ))}
			case "ip-address":
				if i.PublicIP.IsValid() {
					return []string{i.PublicIP.String()}
				}
				return nil
			case "dns-name":
				if n := publicDNSName(t, i, sub); n != "" {
					return []string{n}
				}
				return nil
			case "instance-state-name":
				return []string{instanceRunning.Name}
			case "instance-state-code":
				return []string{strconv.Itoa(instanceRunning.Code)}
			case "availability-zone":
				return []string{sub.AZ}
			case "instance-type":
				return []string{instanceType}
			case "image-id":
				return []string{instanceImageID}
			case "owner-id":
				return []string{t.Account()}
			case "instance.group-id", "group-id":
				return i.SecurityGroups
			case "instance.group-name", "group-name":
				var out []string
				for _, id := range i.SecurityGroups {
					if g, ok := t.SecurityGroup(id); ok {
						out = append(out, g.Name)
					}
				}
				return out
			}
			return nil
		},
		tags: func(i vpce.Instance) []vpce.Tag { return i.Tags },
	}
}

// publicDNSName is the instance's public DNS name, as EC2 gives one: to an
// instance with a public IPv4 address in a VPC with DNS hostnames (and
// DNS support) on; "" otherwise.
func publicDNSName(t *vpce.Topology, i vpce.Instance, sub *vpce.Subnet) string {
	v, ok := t.VPC(sub.VPCID)
	if !i.PublicIP.Is4() || !ok || !v.EnableDNSSupport || !v.EnableDNSHostnames {
		return ""
	}
	label := "ec2-" + strings.ReplaceAll(i.PublicIP.String(), ".", "-")
	if r := azRegion(sub.AZ); r != "us-east-1" {
		return label + "." + r + ".compute.amazonaws.com"
	}
	return label + ".compute-1.amazonaws.com"
}

func describeInstances(h *Handler, req *Request) (any, *Error) {
	t := h.b.Topology()
	if req.Params.Has("MaxResults") && len(req.Params.List("InstanceId")) > 0 {
		return nil, Errorf("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
	}
	insts, next, err := instanceLister(t).list(req, t.Instances())
	if err != nil {
		return nil, err
	}
	resp := &describeInstancesResponse{Meta: NewMeta(req), NextToken: next}
	for _, in := range insts {
		sub, _ := t.Subnet(in.SubnetID)
		publicIP := ""
		if in.PublicIP.IsValid() {
			publicIP = in.PublicIP.String()
		}
		var groups []groupIdentity
		for _, id := range in.SecurityGroups {
			g, _ := t.SecurityGroup(id)
			groups = append(groups, groupIdentity{GroupID: id, GroupName: g.Name})
		}
		resp.Reservations = append(resp.Reservations, reservationItem{
			ReservationID: stableID("r", in.ID),
			OwnerID:       t.Account(),
			Instances: itemSet[instanceItem]{{
				InstanceID:         in.ID,
				ImageID:            instanceImageID,
				InstanceState:      instanceRunning,
				PrivateDNSName:     vpce.EC2Hostname(in.PrivateIP, azRegion(sub.AZ)),
				DNSName:            publicDNSName(t, in, sub),
				InstanceType:       instanceType,
				Placement:          placement{AvailabilityZone: sub.AZ, Tenancy: "default"},
				Monitoring:         stateValue{State: "disabled"},
				SubnetID:           in.SubnetID,
				VpcID:              sub.VPCID,
				PrivateIPAddress:   in.PrivateIP.String(),
				IPAddress:          publicIP,
				SourceDestCheck:    true,
				Groups:             itemSet[groupIdentity](groups),
				Architecture:       "x86_64",
				RootDeviceType:     "ebs",
				RootDeviceName:     "/dev/xvda",
				VirtualizationType: "hvm",
				Hypervisor:         "xen",
				Tags:               XMLTags(in.Tags),
			}},
		})
	}
	return resp, nil
}
