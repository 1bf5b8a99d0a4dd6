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
	tests := []struct {
		name   string
		action string
		params []string
	}{
		{"create_interface", "CreateVpcEndpoint", iface("SubnetId.1", subA, "SubnetId.2", subB, "ClientToken", "token-1",
			"TagSpecification.1.ResourceType", "vpc-endpoint", "TagSpecification.1.Tag.1.Key", "Name", "TagSpecification.1.Tag.1.Value", "s3-new")},
		{"create_gateway", "CreateVpcEndpoint", []string{"VpcId", myVPC, "ServiceName", s3Service, "RouteTableId.1", myRTB}},
		{"describe_endpoints", "DescribeVpcEndpoints", nil},
		{"describe_endpoints_page", "DescribeVpcEndpoints", []string{"MaxResults", "1"}},
		{"modify", "ModifyVpcEndpoint", []string{"VpcEndpointId", vpce.DefaultEndpointID, "PolicyDocument", denyPolicy}},
		{"delete", "DeleteVpcEndpoints", []string{"VpcEndpointId.1", vpce.DefaultEndpointID, "VpcEndpointId.2", "vpce-0123456789abcdef0"}},
		{"describe_services", "DescribeVpcEndpointServices", nil},
		{"describe_prefix_lists", "DescribePrefixLists", nil},
		{"error_not_found", "DescribeVpcEndpoints", []string{"VpcEndpointId.1", "vpce-0123456789abcdef0"}},
		{"error_dry_run", "DeleteVpcEndpoints", []string{"VpcEndpointId.1", vpce.DefaultEndpointID, "DryRun", "true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, vpce.DefaultSpec())
			w := do(New(b), tt.action, tt.params...)
			got := fixIDs(b.Topology(), w.Body.String())
			checkGolden(t, tt.name, []byte(fmt.Sprintf("HTTP %d\n%s\n", w.Code, got)))
		})
	}
}

// fixIDs replaces the random IDs of endpoints that are not the default
// topology's by fixed ones.
func fixIDs(top *vpce.Topology, body string) string {
	var pairs []string
	for _, e := range top.Endpoints() {
		if e.ID == vpce.DefaultEndpointID {
			continue
		}
		pairs = append(pairs, e.ID, "vpce-0fffffffffffffff1", e.DNSSuffix, "zzzzzzzz")
		for i, z := range e.Zones {
			pairs = append(pairs, z.ENIID, fmt.Sprintf("eni-0fffffffffffffff%d", i+1))
		}
	}
	for _, g := range top.GatewayEndpoints() {
		if g.ID != vpce.DefaultGatewayEndpointID {
			pairs = append(pairs, g.ID, "vpce-0fffffffffffffff2")
		}
	}
	return strings.NewReplacer(pairs...).Replace(body)
}
