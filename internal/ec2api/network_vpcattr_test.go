package ec2api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// TestVpcAttributes: DescribeVpcAttribute reads, ModifyVpcAttribute sets
// one DNS attribute per call, and private DNS in my-vpc becomes possible
// once DNS hostnames are on (off in the seed's world).
func TestVpcAttributes(t *testing.T) {
	b := newBackend(t, vpce.DefaultSpec())
	h := New(b)
	w := do(h, "DescribeVpcAttribute", "VpcId", vpce.DefaultVPCID, "Attribute", "enableDnsHostnames")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "<enableDnsHostnames><value>false</value></enableDnsHostnames>") {
		t.Fatalf("describe: %d %s", w.Code, w.Body)
	}
	for _, tc := range []struct {
		name   string
		params []string
		status int
		code   string
		msg    string
	}{
		{"both at once", []string{"VpcId", vpce.DefaultVPCID, "EnableDnsSupport.Value", "true", "EnableDnsHostnames.Value", "true"}, 400, "InvalidParameterCombination", "Only one attribute"},
		{"neither", []string{"VpcId", vpce.DefaultVPCID}, 400, "MissingParameter", "EnableDnsSupport or EnableDnsHostnames"},
		{"unknown VPC", []string{"VpcId", "vpc-0123456789abcdef0", "EnableDnsHostnames.Value", "true"}, 400, "InvalidVpcID.NotFound", "vpc-0123456789abcdef0"},
		{"not a boolean", []string{"VpcId", vpce.DefaultVPCID, "EnableDnsHostnames.Value", "yes"}, 400, "InvalidParameterValue", "Expected: 'true' or 'false'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := b.Topology()
			wantError(t, do(h, "ModifyVpcAttribute", tc.params...), tc.status, tc.code, tc.msg)
			if b.Topology() != before {
				t.Error("a refused change changed the topology")
			}
		})
	}
	if w := do(h, "ModifyVpcAttribute", "VpcId", vpce.DefaultVPCID, "EnableDnsHostnames.Value", "true", "DryRun", "true"); w.Code != http.StatusPreconditionFailed {
		t.Fatalf("dry run: %d %s", w.Code, w.Body)
	}
	if v, _ := b.Topology().VPC(vpce.DefaultVPCID); v.EnableDNSHostnames {
		t.Fatal("a dry run turned DNS hostnames on")
	}
	if w := do(h, "ModifyVpcAttribute", "VpcId", vpce.DefaultVPCID, "EnableDnsHostnames.Value", "true"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "<return>true</return>") {
		t.Fatalf("modify: %d %s", w.Code, w.Body)
	}
	if v, _ := b.Topology().VPC(vpce.DefaultVPCID); !v.EnableDNSHostnames {
		t.Fatal("DNS hostnames still off")
	}
	w = do(h, "ModifyVpcEndpoint", "VpcEndpointId", vpce.DefaultEndpointID, "PrivateDnsEnabled", "true", "DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint", "false")
	if w.Code != http.StatusOK {
		t.Fatalf("private DNS after turning hostnames on: %d %s", w.Code, w.Body)
	}
	// Hostnames cannot go off under an endpoint with private DNS.
	w = do(h, "ModifyVpcAttribute", "VpcId", vpce.DefaultVPCID, "EnableDnsHostnames.Value", "false")
	wantError(t, w, 400, "InvalidParameterValue", "enableDnsHostnames")
}
