package topoimport

// The shapes below are the parts of the aws CLI's JSON output (botocore's
// EC2 output shapes, member names as the CLI prints them) that the import
// reads. Members it does not read are ignored, so output of newer CLI
// versions, with members added, still imports.

type tag struct {
	Key   string
	Value string
}

type awsVPC struct {
	VpcId                       string
	OwnerId                     string
	CidrBlock                   string
	IsDefault                   bool
	State                       string
	CidrBlockAssociationSet     []cidrAssociation
	Ipv6CidrBlockAssociationSet []struct{ Ipv6CidrBlock string }
	Tags                        []tag
}

type cidrAssociation struct {
	CidrBlock      string
	CidrBlockState struct{ State string }
}

// awsVPCAttribute is the output of aws ec2 describe-vpc-attribute, one
// attribute per call.
type awsVPCAttribute struct {
	VpcId              string
	EnableDnsSupport   *struct{ Value bool }
	EnableDnsHostnames *struct{ Value bool }
}

type awsSubnet struct {
	SubnetId                    string
	VpcId                       string
	OwnerId                     string
	CidrBlock                   string
	AvailabilityZone            string
	Ipv6CidrBlockAssociationSet []struct{ Ipv6CidrBlock string }
	Tags                        []tag
}

type awsSecurityGroup struct {
	GroupId             string
	GroupName           string
	Description         string
	VpcId               string
	OwnerId             string
	IpPermissions       []ipPermission
	IpPermissionsEgress []ipPermission
	Tags                []tag
}

type ipPermission struct {
	IpProtocol string
	// FromPort and ToPort are absent for protocol -1.
	FromPort *int
	ToPort   *int
	IpRanges []struct {
		CidrIp      string
		Description string
	}
	Ipv6Ranges []struct {
		CidrIpv6    string
		Description string
	}
	PrefixListIds []struct {
		PrefixListId string
		Description  string
	}
	UserIdGroupPairs []struct {
		GroupId     string
		UserId      string
		VpcId       string
		Description string
	}
}

type awsRouteTable struct {
	RouteTableId string
	VpcId        string
	OwnerId      string
	Associations []struct {
		Main             bool
		SubnetId         string
		GatewayId        string
		AssociationState *struct{ State string }
	}
	Routes []awsRoute
	Tags   []tag
}

type awsRoute struct {
	DestinationCidrBlock        string
	DestinationIpv6CidrBlock    string
	DestinationPrefixListId     string
	GatewayId                   string
	VpcPeeringConnectionId      string
	NatGatewayId                string
	TransitGatewayId            string
	NetworkInterfaceId          string
	InstanceId                  string
	EgressOnlyInternetGatewayId string
	LocalGatewayId              string
	CarrierGatewayId            string
	CoreNetworkArn              string
	Origin                      string
	State                       string
}

type awsReservation struct {
	OwnerId   string
	Instances []awsInstance
}

type awsInstance struct {
	InstanceId       string
	SubnetId         string
	VpcId            string
	PrivateIpAddress string
	PublicIpAddress  string
	State            struct{ Name string }
	SecurityGroups   []struct {
		GroupId   string
		GroupName string
	}
	NetworkInterfaces []struct{ NetworkInterfaceId string }
	Tags              []tag
}

type awsVPCEndpoint struct {
	VpcEndpointId   string
	VpcEndpointType string
	VpcId           string
	ServiceName     string
	State           string
	PolicyDocument  string
	RouteTableIds   []string
	SubnetIds       []string
	Groups          []struct{ GroupId, GroupName string }
	IpAddressType   string
	DnsOptions      *struct {
		DnsRecordIpType                          string
		PrivateDnsOnlyForInboundResolverEndpoint bool
	}
	PrivateDnsEnabled   bool
	NetworkInterfaceIds []string
	DnsEntries          []struct{ DnsName, HostedZoneId string }
	CreationTimestamp   string
	Tags                []tag
	OwnerId             string
}

type awsNetworkInterface struct {
	NetworkInterfaceId string
	SubnetId           string
	VpcId              string
	AvailabilityZone   string
	PrivateIpAddress   string
	InterfaceType      string
}

type awsInternetGateway struct {
	InternetGatewayId string
	OwnerId           string
	Attachments       []struct{ VpcId, State string }
	Tags              []tag
}

type awsPeering struct {
	VpcPeeringConnectionId string
	RequesterVpcInfo       struct{ VpcId, OwnerId, CidrBlock string }
	AccepterVpcInfo        struct{ VpcId, OwnerId, CidrBlock string }
	Status                 struct{ Code string }
	Tags                   []tag
}
