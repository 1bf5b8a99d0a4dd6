package vpcnet_test

import (
	"fmt"
	"net/netip"

	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/internal/vpcnet"
)

func ExampleDecide() {
	t := vpce.DefaultTopology()
	inst, _ := t.FindInstance("172.16.10.77")
	for _, f := range []vpcnet.Flow{
		{Proto: vpce.ProtocolTCP, Dst: netip.MustParseAddr("172.16.10.143"), Port: 443},
		{Proto: vpce.ProtocolTCP, Dst: netip.MustParseAddr("172.16.10.143"), Port: 80},
		{Proto: vpce.ProtocolTCP, Dst: netip.MustParseAddr("52.216.53.32"), Port: 443},
		{Proto: vpce.ProtocolUDP, Dst: netip.MustParseAddr("172.31.0.2"), Port: 53},
	} {
		v := vpcnet.Decide(t, inst, f)
		fmt.Printf("%s %s:%d allowed=%v via=%q\n", f.Proto, f.Dst, f.Port, v.Allowed, v.Via)
		if v.Reason != "" {
			fmt.Println("  " + v.Reason)
		}
	}
	// Output:
	// tcp 172.16.10.143:443 allowed=true via="local"
	// tcp 172.16.10.143:80 allowed=false via="local"
	//   sg-0e5f7a9b1c3d24680 (s3-endpoint) allows no tcp 80 from 172.16.10.77
	// tcp 52.216.53.32:443 allowed=true via="igw-0e6a8c0b2d4f57913"
	// udp 172.31.0.2:53 allowed=false via=""
	//   172.31.0.2 is the resolver of vpc-0d3a5c7e9b1f24680 (default VPC): an instance reaches only its own VPC's resolver (172.16.0.2)
}
