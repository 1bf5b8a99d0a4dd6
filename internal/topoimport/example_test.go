package topoimport_test

import (
	"fmt"

	"github.com/s3vpce/s3vpce/internal/topoimport"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

func ExampleImport() {
	vpcs := []byte(`{"Vpcs": [{"VpcId": "vpc-0aaaaaaaaaaaaaaaa", "OwnerId": "111122223333", "CidrBlock": "10.0.0.0/16", "IsDefault": false}]}`)
	routes := []byte(`{"RouteTables": [{"RouteTableId": "rtb-0aaaaaaaaaaaaaaaa", "VpcId": "vpc-0aaaaaaaaaaaaaaaa",
		"Associations": [{"Main": true}],
		"Routes": [
			{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
			{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0aaaaaaaaaaaaaaaa", "State": "active"},
			{"DestinationCidrBlock": "10.9.0.0/16", "NatGatewayId": "nat-0aaaaaaaaaaaaaaaa", "State": "active"}]}]}`)
	spec, warnings, err := topoimport.Import(
		topoimport.File{Name: "vpcs.json", Data: vpcs},
		topoimport.File{Name: "route-tables.json", Data: routes})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range warnings {
		fmt.Println("warning:", w)
	}
	topo, err := vpce.Build(spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("account", topo.Account())
	for _, r := range topo.Routes("rtb-0aaaaaaaaaaaaaaaa") {
		fmt.Println(r.Destination, r.Target)
	}
	// Output:
	// warning: route-tables.json: rtb-0aaaaaaaaaaaaaaaa: Routes[2] to 10.9.0.0/16 via nat-0aaaaaaaaaaaaaaaa skipped: NAT gateways are not emulated
	// account 111122223333
	// 10.0.0.0/16 local
	// 0.0.0.0/0 igw-0aaaaaaaaaaaaaaaa
}
