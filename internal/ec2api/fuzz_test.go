package ec2api

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// FuzzParams feeds arbitrary form bodies to the parameter decoders
// (filters, lists, tags, pages, DryRun) and to every endpoint action: no
// panic, and every answer is 200 or a 4xx in EC2's error shape.
func FuzzParams(f *testing.F) {
	for _, seed := range []string{
		"",
		"Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-0c1f3e5a7b9d2f468&Filter.2.Name=tag:Name&Filter.2.Value.1=*",
		"Filter.1.Name=tag-key&Filter.1.Value.1=%5C*&Filter.2.Value.1=x",
		"VpcEndpointType=Interface&VpcId=vpc-0c1f3e5a7b9d2f468&ServiceName=com.amazonaws.us-east-1.s3&SubnetId.1=subnet-01a2b3c4d5e6f7a81&SubnetId.2=subnet-01a2b3c4d5e6f7a82",
		"VpcId=vpc-0d3a5c7e9b1f24680&ServiceName=com.amazonaws.us-east-1.s3&RouteTableId.1=rtb-0a2c4e6b8d0f13579&PolicyDocument=%7B%7D",
		"TagSpecification.1.ResourceType=vpc-endpoint&TagSpecification.1.Tag.1.Key=a&TagSpecification.1.Tag.1.Value=b&TagSpecification.2.Tag.1.Value=c",
		"MaxResults=5&NextToken=czN2cGNlMXxEZXNjcmliZVZwY0VuZHBvaW50c3x2cGNlLTBiMmQ0ZjZhOGMwZTEzNTc5",
		"VpcEndpointId=vpce-0a77994aa2124c299&AddSubnetId.1=subnet-0f1e2d3c4b5a69780&RemoveSecurityGroupId.1=sg-0e5f7a9b1c3d24680&DryRun=true",
		"VpcEndpointId.1=vpce-0a77994aa2124c299&VpcEndpointId.2=vpce-&VpcEndpointId.3=%00",
		"DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint=true&PrivateDnsEnabled=false&ResetPolicy=true",
	} {
		f.Add(seed)
	}
	actions := []string{"CreateVpcEndpoint", "DescribeVpcEndpoints", "ModifyVpcEndpoint", "DeleteVpcEndpoints",
		"DescribeVpcEndpointServices", "DescribePrefixLists"}
	spec := vpce.DefaultSpec()
	f.Fuzz(func(t *testing.T, query string) {
		v, _ := url.ParseQuery(query) // a partly bad query still decodes what it can
		p := Params(v)
		ParseFilters(p, "vpc-id", "tag-key", "tag:")
		ParseTagSpecifications(p, "vpc-endpoint")
		ParsePage(p, "DescribeVpcEndpoints", rangePages)
		ParsePage(p, "DescribeVpcEndpoints", clampPages)
		DryRun(p)
		p.List("SubnetId")
		for _, action := range actions {
			h := New(newBackend(t, spec))
			w := doParams(h, action, p)
			if w.Code == http.StatusOK {
				continue
			}
			var e xError
			if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Code == "" {
				t.Fatalf("%s: status %d, body not EC2's error shape: %v\n%s", action, w.Code, err, w.Body)
			}
			if w.Code >= 500 {
				t.Fatalf("%s: %d %s %s", action, w.Code, e.Code, e.Message)
			}
		}
	})
}
