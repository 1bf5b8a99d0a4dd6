package policy_test

import (
	"fmt"

	"github.com/s3vpce/s3vpce/policy"
)

func Example() {
	endpoint, err := policy.Parse([]byte(`{
	  "Statement": [{
	    "Sid": "Access-to-specific-bucket-only",
	    "Principal": "*",
	    "Action": ["s3:GetObject", "s3:PutObject"],
	    "Effect": "Allow",
	    "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"]
	  }]
	}`), policy.WithKind(policy.KindEndpoint))
	if err != nil {
		fmt.Println(err)
		return
	}
	req := &policy.Request{
		Principal: policy.Principal{ARN: "arn:aws:iam::123456789012:user/MaryMajor"},
		Action:    "s3:GetObject",
		Resource:  "arn:aws:s3:::other-bucket/key",
	}
	req.Context.Set("aws:SourceVpce", "vpce-1a2b3c4d")
	d := policy.Evaluate(req, policy.Attached{Policy: endpoint, Kind: policy.KindEndpoint})
	fmt.Println(d.Effect, d.Reason)
	fmt.Println(d.Message())
	// Output:
	// Deny ImplicitDeny
	// User: arn:aws:iam::123456789012:user/MaryMajor is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::other-bucket/key" because no VPC endpoint policy allows the s3:GetObject action
}

func ExampleParse_error() {
	_, err := policy.Parse([]byte(`{
  "Statement": [{
    "Sid": "DenyPut",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:PutObject",
    "Resource": "*",
    "Condition": {"StringEqualz": {"aws:SourceVpce": "vpce-1a2b3c4d"}}
  }]
}`), policy.WithKind(policy.KindEndpoint))
	fmt.Println(err)
	// Output:
	// policy: statement 0 (Sid "DenyPut"): field Condition: unknown operator "StringEqualz" at line 8, column 19
}

func ExampleEvaluateTrace() {
	bucket, _ := policy.Parse([]byte(`{
	  "Version": "2012-10-17",
	  "Statement": [{
	    "Sid": "IPAllow", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
	    "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
	    "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}
	  }]
	}`), policy.WithKind(policy.KindBucket))
	req := &policy.Request{
		Principal: policy.Principal{ARN: "arn:aws:iam::123456789012:user/MaryMajor"},
		Action:    "s3:GetObject",
		Resource:  "arn:aws:s3:::amzn-s3-demo-bucket/key",
	}
	req.Context.Set("aws:SourceVpce", "vpce-1a2b3c4d") // through an endpoint: no aws:SourceIp
	req.Context.Set("aws:VpcSourceIp", "192.0.2.10")
	_, trace := policy.EvaluateTrace(req, policy.Attached{Policy: bucket, Kind: policy.KindBucket})
	fmt.Print(trace)
	// Output:
	// decision: Deny (ExplicitDeny) by statement 0 (Sid "IPAllow") of the resource-based policy [policy 0]
	// message: User: arn:aws:iam::123456789012:user/MaryMajor is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::amzn-s3-demo-bucket/key" with an explicit deny in a resource-based policy
	// policy 0 (bucket): explicit deny by statement 0
	//   statement 0 (Sid "IPAllow") Deny: matched; condition NotIpAddress aws:SourceIp is true because aws:SourceIp is absent from the request
}

func ExampleS3ChecksFor() {
	checks, _ := policy.S3ChecksFor("CopyObject", policy.S3Target{
		Bucket: "dst", Key: "copy.txt", SourceBucket: "src", SourceKey: "orig.txt", SourceVersioned: true,
	})
	for _, c := range checks {
		fmt.Println(c.Action, c.Resource)
	}
	// Output:
	// s3:GetObjectVersion arn:aws:s3:::src/orig.txt
	// s3:PutObject arn:aws:s3:::dst/copy.txt
}
