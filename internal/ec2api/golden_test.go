package ec2api

import (
	"fmt"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// TestGolden pins the XML of each response shape of the endpoint actions
// and of the error shape (go test -run TestGolden -update rewrites them).
// New endpoints get random IDs; they are replaced by fixed ones before the
// comparison.
func TestGolden(t *testing.T) {
	dnsOn := hostnamesOn() // private DNS in my-vpc needs its DNS hostnames on
	tests := []struct {
		name   string
		spec   *vpce.Spec // nil: the seed's world
		action string
		params []string
	}{
		{"create_interface", &dnsOn, "CreateVpcEndpoint", iface("SubnetId.1", subA, "SubnetId.2", subB, "ClientToken", "token-1",
			"TagSpecification.1.ResourceType", "vpc-endpoint", "TagSpecification.1.Tag.1.Key", "Name", "TagSpecification.1.Tag.1.Value", "s3-new")},
		{"create_gateway", nil, "CreateVpcEndpoint", []string{"VpcId", myVPC, "ServiceName", s3Service, "RouteTableId.1", myRTB}},
		{"describe_endpoints", nil, "DescribeVpcEndpoints", nil},
		{"describe_endpoints_page", nil, "DescribeVpcEndpoints", []string{"MaxResults", "1"}},
		{"modify", nil, "ModifyVpcEndpoint", []string{"VpcEndpointId", vpce.DefaultEndpointID, "PolicyDocument", denyPolicy}},
		{"delete", nil, "DeleteVpcEndpoints", []string{"VpcEndpointId.1", vpce.DefaultEndpointID, "VpcEndpointId.2", "vpce-0123456789abcdef0"}},
		{"describe_services", nil, "DescribeVpcEndpointServices", nil},
		{"describe_prefix_lists", nil, "DescribePrefixLists", nil},
		{"error_not_found", nil, "DescribeVpcEndpoints", []string{"VpcEndpointId.1", "vpce-0123456789abcdef0"}},
		{"error_dry_run", nil, "DeleteVpcEndpoints", []string{"VpcEndpointId.1", vpce.DefaultEndpointID, "DryRun", "true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, specOr(tt.spec))
			w := do(New(b), tt.action, tt.params...)
			got := fixIDs(b.Topology(), w.Body.String())
			checkGolden(t, tt.name, []byte(fmt.Sprintf("HTTP %d\n%s\n", w.Code, got)))
		})
	}
}

// fixIDs replaces the random IDs of endpoints that are not the seed's by
// fixed ones.
func fixIDs(top *vpce.Topology, body string) string {
	seed := map[string]bool{}
	s := vpce.DefaultSpec()
	for _, e := range s.Endpoints {
		seed[e.ID] = true
	}
	for _, g := range s.GatewayEndpoints {
		seed[g.ID] = true
	}
	var pairs []string
	for _, e := range top.Endpoints() {
		if seed[e.ID] {
			continue
		}
		pairs = append(pairs, e.ID, "vpce-0fffffffffffffff1", e.DNSSuffix, "zzzzzzzz")
		for i, z := range e.Zones {
			pairs = append(pairs, z.ENIID, fmt.Sprintf("eni-0fffffffffffffff%d", i+1))
		}
	}
	for _, g := range top.GatewayEndpoints() {
		if !seed[g.ID] {
			pairs = append(pairs, g.ID, "vpce-0fffffffffffffff2")
		}
	}
	return strings.NewReplacer(pairs...).Replace(body)
}
