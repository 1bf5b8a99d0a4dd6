package topoimport

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// TestImportErrors: bad input is an *Error naming the file, the line and
// column, and the element at fault.
func TestImportErrors(t *testing.T) {
	const vpcs = `{"Vpcs": [{"VpcId": "vpc-0aaaaaaaaaaaaaaaa", "CidrBlock": "10.0.0.0/16"}]}`
	tests := []struct {
		name  string
		files []string
		want  string
	}{
		{"empty", []string{"  \n"}, "topoimport: f0: empty: want the JSON output of an aws ec2 describe-* command"},
		{"malformed", []string{"{\n  \"Vpcs\": [\n    {\"VpcId\": \"vpc-0aaaaaaaaaaaaaaaa\",}\n  ]\n}"},
			"topoimport: f0: line 3, column 39: invalid character '}' looking for beginning of object key string"},
		{"truncated", []string{"{\"Vpcs\": [\n  {\"VpcId\": \"vpc-0aaaaaaaaaaaaaaaa\""}, "topoimport: f0: line 2, column 36: unexpected end of the document"},
		{"text output", []string{"VPCS\t172.31.0.0/16\tdopt-0a1b2c3d\n"}, "topoimport: f0: line 1, column 1: invalid character 'V' looking for beginning of value"},
		{"top-level array", []string{`[{"VpcId": "vpc-0aaaaaaaaaaaaaaaa"}]`},
			"topoimport: f0: line 1, column 1: want a JSON object (the output of an aws ec2 describe-* command with --output json), got an array"},
		{"unknown key", []string{vpcs, "{\n  \"LoadBalancerDescriptions\": []\n}"},
			"topoimport: f1: line 2, column 3: LoadBalancerDescriptions: unknown top-level key \"LoadBalancerDescriptions\": want the output of aws ec2 describe-* (keys InternetGateways, NetworkInterfaces, Reservations, RouteTables, SecurityGroups, Subnets, VpcEndpoints, VpcPeeringConnections, Vpcs)"},
		{"not an array", []string{`{"Vpcs": {"VpcId": "vpc-0aaaaaaaaaaaaaaaa"}}`}, "topoimport: f0: line 1, column 10: Vpcs: want an array, got an object"},
		{"element not an object", []string{`{"Vpcs": ["vpc-0aaaaaaaaaaaaaaaa"]}`}, "topoimport: f0: line 1, column 11: Vpcs[0]: want an object, got JSON string"},
		{"wrong type", []string{"{\"Vpcs\": [\n  {\"VpcId\": \"vpc-0aaaaaaaaaaaaaaaa\",\n   \"CidrBlock\": 167772160}]}"},
			"topoimport: f0: line 3, column 17: Vpcs[0].CidrBlock: want a string, got JSON number"},
		{"wrong type deep", []string{vpcs, "{\"SecurityGroups\": [{\"GroupId\": \"sg-0aaaaaaaaaaaaaaaa\", \"VpcId\": \"vpc-0aaaaaaaaaaaaaaaa\",\n \"IpPermissions\": [{\"IpProtocol\": \"tcp\", \"FromPort\": \"22\"}]}]}"},
			"topoimport: f1: line 2, column 54: SecurityGroups[0].IpPermissions[0].FromPort: want a number, got JSON string"},
		{"bad VPC ID", []string{`{"Vpcs": [{"VpcId": "vpc-xyz", "CidrBlock": "10.0.0.0/16"}]}`},
			`topoimport: f0: line 1, column 21: Vpcs[0].VpcId: "vpc-xyz": want vpc- followed by 8 or 17 lower-case hex digits`},
		{"bad CIDR", []string{`{"Vpcs": [{"VpcId": "vpc-0aaaaaaaaaaaaaaaa", "CidrBlock": "10.0.0.0/33"}]}`},
			`topoimport: f0: line 1, column 59: Vpcs[0].CidrBlock: "10.0.0.0/33": want an IPv4 CIDR`},
		{"bad instance address", []string{vpcs,
			`{"Subnets": [{"SubnetId": "subnet-0aaaaaaaaaaaaaaaa", "VpcId": "vpc-0aaaaaaaaaaaaaaaa", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"}]}`,
			`{"Reservations": [{"Instances": [{"InstanceId": "i-0aaaaaaaaaaaaaaaa", "SubnetId": "subnet-0aaaaaaaaaaaaaaaa", "PrivateIpAddress": "10.0.1"}]}]}`},
			`topoimport: f2: line 1, column 132: Reservations[0].Instances[0].PrivateIpAddress: "10.0.1": want an IPv4 address`},
		{"bad public address", []string{vpcs,
			`{"Subnets": [{"SubnetId": "subnet-0aaaaaaaaaaaaaaaa", "VpcId": "vpc-0aaaaaaaaaaaaaaaa", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"}]}`,
			`{"Reservations": [{"Instances": [{"InstanceId": "i-0aaaaaaaaaaaaaaaa", "SubnetId": "subnet-0aaaaaaaaaaaaaaaa", "PrivateIpAddress": "10.0.1.9", "PublicIpAddress": "54.175.12"}]}]}`},
			`topoimport: f2: line 1, column 163: Reservations[0].Instances[0].PublicIpAddress: "54.175.12": want an IPv4 address`},
		{"bad VPC attribute ID", []string{vpcs, `{"VpcId": "vpc-xyz", "EnableDnsHostnames": {"Value": false}}`}, `topoimport: f1: line 1, column 11: VpcId: "vpc-xyz": want vpc- followed by 8 or 17 lower-case hex digits`},
		{"VPC attribute of the wrong type", []string{vpcs, "{\n  \"VpcId\": \"vpc-0aaaaaaaaaaaaaaaa\",\n  \"EnableDnsHostnames\": {\"Value\": \"false\"}\n}"}, "topoimport: f1: line 3, column 35: EnableDnsHostnames.Value: want true or false, got JSON string"},
		{"VPC attribute among describe outputs", []string{`{"Vpcs": [], "VpcId": "vpc-0aaaaaaaaaaaaaaaa"}`}, "topoimport: f0: line 1, column 14: VpcId: unknown top-level key \"VpcId\": want the output of aws ec2 describe-* (keys InternetGateways, NetworkInterfaces, Reservations, RouteTables, SecurityGroups, Subnets, VpcEndpoints, VpcPeeringConnections, Vpcs)"},
		{"bad route destination", []string{vpcs, `{"RouteTables": [{"RouteTableId": "rtb-0aaaaaaaaaaaaaaaa", "VpcId": "vpc-0aaaaaaaaaaaaaaaa", "Routes": [{"DestinationCidrBlock": "0.0.0.0", "GatewayId": "igw-0aaaaaaaaaaaaaaaa"}]}]}`},
			`topoimport: f1: line 1, column 130: RouteTables[0].Routes[0].DestinationCidrBlock: "0.0.0.0": want an IPv4 CIDR`},
		{"bad creation time", []string{vpcs, `{"VpcEndpoints": [{"VpcEndpointId": "vpce-0aaaaaaaaaaaaaaaa", "VpcEndpointType": "Gateway", "VpcId": "vpc-0aaaaaaaaaaaaaaaa", "ServiceName": "com.amazonaws.us-east-1.s3", "CreationTimestamp": "yesterday"}]}`},
			`topoimport: f1: line 1, column 193: VpcEndpoints[0].CreationTimestamp: "yesterday": want a time such as 2021-03-04T08:12:31.000Z`},
		{"data after", []string{vpcs + "\n{}"}, "topoimport: f0: line 2, column 1: data after the top-level object"},
		{"no VPCs", []string{`{"Subnets": []}`}, "topoimport: no VPCs: give the output of aws ec2 describe-vpcs (a top-level Vpcs array)"},
		// Build's checks, located at the element the resource came from.
		{"overlapping subnets", []string{vpcs, "{\"Subnets\": [\n {\"SubnetId\": \"subnet-0aaaaaaaaaaaaaaaa\", \"VpcId\": \"vpc-0aaaaaaaaaaaaaaaa\", \"CidrBlock\": \"10.0.0.0/24\", \"AvailabilityZone\": \"us-east-1a\"},\n {\"SubnetId\": \"subnet-0bbbbbbbbbbbbbbbb\", \"VpcId\": \"vpc-0aaaaaaaaaaaaaaaa\", \"CidrBlock\": \"10.0.0.0/23\", \"AvailabilityZone\": \"us-east-1a\"}]}"},
			"topoimport: f1: line 3, column 2: Subnets[1]: cidr: 10.0.0.0/23 overlaps subnets[0] (subnet-0aaaaaaaaaaaaaaaa, 10.0.0.0/24)"},
		{"bad account", []string{`{"Vpcs": [{"VpcId": "vpc-0aaaaaaaaaaaaaaaa", "OwnerId": "12345", "CidrBlock": "10.0.0.0/16"}]}`},
			`topoimport: f0: line 1, column 57: Vpcs[0].OwnerId: "12345": want a 12-digit account ID`},
		{"instance outside its subnet", []string{vpcs,
			`{"Subnets": [{"SubnetId": "subnet-0aaaaaaaaaaaaaaaa", "VpcId": "vpc-0aaaaaaaaaaaaaaaa", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"}]}`,
			`{"Reservations": [{"Instances": [{"InstanceId": "i-0aaaaaaaaaaaaaaaa", "SubnetId": "subnet-0aaaaaaaaaaaaaaaa", "PrivateIpAddress": "10.0.2.9"}]}]}`},
			"topoimport: f2: line 1, column 34: Reservations[0].Instances[0]: ip: 10.0.2.9 is not within subnet-0aaaaaaaaaaaaaaaa (10.0.1.0/24)"},
		{"private public address", []string{vpcs,
			`{"Subnets": [{"SubnetId": "subnet-0aaaaaaaaaaaaaaaa", "VpcId": "vpc-0aaaaaaaaaaaaaaaa", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"}]}`,
			`{"Reservations": [{"Instances": [{"InstanceId": "i-0aaaaaaaaaaaaaaaa", "SubnetId": "subnet-0aaaaaaaaaaaaaaaa", "PrivateIpAddress": "10.0.1.9", "PublicIpAddress": "10.0.1.10"}]}]}`},
			"topoimport: f2: line 1, column 34: Reservations[0].Instances[0]: public_ip: 10.0.1.10: want a public IPv4 address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var files []File
			for i, f := range tt.files {
				files = append(files, File{Name: "f" + string(rune('0'+i)), Data: []byte(f)})
			}
			_, _, err := Import(files...)
			var ie *Error
			if !errors.As(err, &ie) {
				t.Fatalf("error %v (%T), want an *Error", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n%s\nwant\n%s", err, tt.want)
			}
		})
	}
}

// FuzzImport: no input makes Import panic, and what it accepts builds and
// writes as a topology file.
func FuzzImport(f *testing.F) {
	for _, n := range seedFiles {
		data, err := os.ReadFile(filepath.Join("testdata", "seed", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"Vpcs":[{"VpcId":"vpc-0aaaaaaaaaaaaaaaa","CidrBlock":"10.0.0.0/16"}],"RouteTables":[{"RouteTableId":"rtb-0aaaaaaaaaaaaaaaa","VpcId":"vpc-0aaaaaaaaaaaaaaaa","Routes":[{"DestinationCidrBlock":"10.1.0.0/16","VpcPeeringConnectionId":"pcx-0aaaaaaaaaaaaaaaa"}]}]}`))
	f.Add([]byte(`{"NextToken":null,"Vpcs":[]}`))
	vpcs, err := os.ReadFile(filepath.Join("testdata", "seed", "vpcs.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, _, err := Import(File{Name: "vpcs", Data: vpcs}, File{Name: "fuzz", Data: data})
		if err != nil {
			var ie *Error
			if !errors.As(err, &ie) {
				t.Fatalf("error %v (%T), want an *Error", err, err)
			}
			return
		}
		topo, err := vpce.Build(spec)
		if err != nil {
			t.Fatalf("Import accepted a Spec that does not build: %v", err)
		}
		if _, err := vpce.MarshalTopology(topo); err != nil {
			t.Fatal(err)
		}
	})
}
