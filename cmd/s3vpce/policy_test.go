package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func pol(name string) string { return filepath.Join("..", "..", "testdata", "policies", name) }

func TestRunPolicy(t *testing.T) {
	t.Parallel()
	const (
		mary   = "arn:aws:iam::111122223333:user/MaryMajor"
		object = "arn:aws:s3:::amzn-s3-demo-bucket/key"
	)
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    []string // substrings of stdout
		wantErrOut []string // substrings of stderr
	}{
		{
			name:     "validate ok",
			args:     []string{"validate", pol("default-endpoint.json"), pol("deny-put.json")},
			wantCode: 0,
			wantOut:  []string{pol("default-endpoint.json") + ": ok", pol("deny-put.json") + ": ok"},
		},
		{
			name:     "validate gateway default with kind",
			args:     []string{"validate", "--kind", "gateway-endpoint", pol("default-gateway-endpoint.json")},
			wantCode: 0,
			wantOut:  []string{": ok"},
		},
		{
			name:       "validate malformed locates the error",
			args:       []string{"validate", pol("malformed.json")},
			wantCode:   1,
			wantErrOut: []string{pol("malformed.json") + `: policy: statement 1 (Sid "DenyPut"): field Condition: unknown operator "StringEqualz" at line 18, column 9`},
		},
		{
			name:       "validate endpoint needs a principal",
			args:       []string{"validate", "--kind", "endpoint", pol("no-principal-endpoint.json")},
			wantCode:   1,
			wantErrOut: []string{"statement 0: field Principal: a VPC endpoint policy statement needs a Principal at line 3, column 5"},
		},
		{
			name:     "validate identity policy as identity",
			args:     []string{"validate", "--kind", "identity", pol("home-folders-identity.json")},
			wantCode: 0,
		},
		{
			name:       "validate warns and still exits 0",
			args:       []string{"validate", "--kind", "bucket", pol("sourceip-bucket.json")},
			wantCode:   0,
			wantOut:    []string{pol("sourceip-bucket.json") + ": ok, 1 warning"},
			wantErrOut: []string{pol("sourceip-bucket.json") + `: warning: policy: statement 0 (Sid "IPAllow"): field Condition: condition key "aws:SourceIp" is absent`},
		},
		{
			name:       "validate reports every file's errors",
			args:       []string{"validate", pol("malformed.json"), pol("deny-put.json")},
			wantCode:   1,
			wantOut:    []string{pol("deny-put.json") + ": ok"},
			wantErrOut: []string{pol("malformed.json") + ": invalid: 1 error\n"},
		},
		{
			name:       "validate missing file",
			args:       []string{"validate", pol("does-not-exist.json")},
			wantCode:   1,
			wantErrOut: []string{"does-not-exist.json"},
		},
		{
			name:       "validate no file",
			args:       []string{"validate"},
			wantCode:   1,
			wantErrOut: []string{"no FILE given"},
		},
		{
			name:     "simulate default endpoint allows",
			args:     []string{"simulate", "--policy", pol("default-endpoint.json"), "--action", "s3:GetObject", "--resource", object, "--principal", mary, "--context", "aws:SourceVpce=vpce-1a2b3c4d"},
			wantCode: 0,
			wantOut:  []string{"decision: allowed", "reason: Allowed", "statement: 0 in", `{"Effect":"Allow","Principal":"*","Action":["*"],"Resource":["*"]}`},
		},
		{
			name:     "simulate deny-put explicit deny",
			args:     []string{"simulate", "--policy", pol("deny-put.json"), "--action", "s3:PutObject", "--resource", object, "--principal", mary},
			wantCode: 2,
			wantOut: []string{
				"decision: explicitDeny",
				`message: User: arn:aws:iam::111122223333:user/MaryMajor is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::amzn-s3-demo-bucket/key" with an explicit deny in a VPC endpoint policy`,
				`statement: 1 (Sid "DenyPut")`,
			},
		},
		{
			name:     "simulate specific bucket implicit deny",
			args:     []string{"simulate", "--policy", pol("specific-bucket-endpoint.json"), "--action", "s3:GetObject", "--resource", "arn:aws:s3:::other/key", "--principal", mary},
			wantCode: 2,
			wantOut:  []string{"decision: implicitDeny", "because no VPC endpoint policy allows the s3:GetObject action"},
		},
		{
			name: "simulate sourcevpce bucket through the right endpoint",
			args: []string{"simulate", "--policy", pol("default-endpoint.json"), "--policy", pol("sourcevpce-bucket.json"), "--kind", "bucket",
				"--resource-account", "111122223333", "--action", "s3:GetObject", "--resource", object, "--principal", mary,
				"--context", "aws:SourceVpce=vpce-1a2b3c4d", "--context", "aws:SourceVpc=vpc-111bbb22"},
			wantCode: 0,
			wantOut:  []string{"policy 1: " + pol("sourcevpce-bucket.json") + " (bucket)", "decision: allowed"},
		},
		{
			name: "simulate sourcevpce bucket through another endpoint",
			args: []string{"simulate", "--policy", pol("default-endpoint.json"), "--policy", pol("sourcevpce-bucket.json"), "--kind", "bucket",
				"--action", "s3:GetObject", "--resource", object, "--principal", mary, "--context", "aws:SourceVpce=vpce-ffffffff"},
			wantCode: 2,
			wantOut:  []string{"decision: explicitDeny", "with an explicit deny in a resource-based policy", `Sid "Access-to-specific-VPCE-only"`},
		},
		{
			name: "simulate the aws:SourceIp trap with explain",
			args: []string{"simulate", "--policy", pol("default-endpoint.json"), "--kind", "endpoint", "--kind", "bucket", "--policy", pol("sourceip-bucket.json"),
				"--action", "s3:GetObject", "--resource", object, "--principal", mary, "--context", "aws:VpcSourceIp=192.0.2.10", "--explain"},
			wantCode: 2,
			wantOut:  []string{"decision: explicitDeny", `Sid "IPAllow"`, "policy 1 (bucket): explicit deny by statement 0"},
		},
		{
			name:     "simulate anonymous",
			args:     []string{"simulate", "--policy", pol("default-endpoint.json"), "--action", "s3:GetObject", "--resource", object, "--principal", "anonymous"},
			wantCode: 2,
			wantOut:  []string{"User: anonymous is not authorized", "no resource-based policy allows"},
		},
		{
			name: "simulate identity policy with variables",
			args: []string{"simulate", "--policy", pol("home-folders-identity.json"), "--kind", "identity", "--action", "s3:ListBucket",
				"--resource", "arn:aws:s3:::amzn-s3-demo-bucket", "--principal", mary, "--username", "MaryMajor", "--context", "s3:prefix=home/MaryMajor/docs"},
			wantCode: 0,
			wantOut:  []string{"decision: allowed", `Sid "AllowListingOfUserFolder"`},
		},
		{
			name: "simulate multivalued context",
			args: []string{"simulate", "--policy", pol("default-endpoint.json"), "--action", "s3:GetObject", "--resource", object,
				"--principal", mary, "--context", "aws:TagKeys=a", "--context", "aws:TagKeys=b", "--strict-identity"},
			wantCode: 2,
			wantOut:  []string{"no identity-based policy allows"},
		},
		{
			name:       "simulate malformed policy",
			args:       []string{"simulate", "--policy", pol("malformed.json"), "--action", "s3:GetObject", "--resource", object, "--principal", mary},
			wantCode:   1,
			wantErrOut: []string{"unknown operator", "line 18, column 9"},
		},
		{
			name:       "simulate missing action",
			args:       []string{"simulate", "--policy", pol("default-endpoint.json"), "--resource", object, "--principal", mary},
			wantCode:   1,
			wantErrOut: []string{"--action is required"},
		},
		{
			name:       "simulate bad context",
			args:       []string{"simulate", "--policy", pol("default-endpoint.json"), "--context", "novalue"},
			wantCode:   1,
			wantErrOut: []string{"want KEY=VALUE"},
		},
		{
			name:       "simulate bad kind",
			args:       []string{"simulate", "--policy", pol("default-endpoint.json"), "--kind", "firewall"},
			wantCode:   1,
			wantErrOut: []string{"unknown policy kind"},
		},
		{
			name:       "unknown subcommand",
			args:       []string{"frobnicate"},
			wantCode:   1,
			wantErrOut: []string{"unknown subcommand"},
		},
		{
			name:       "no subcommand",
			args:       nil,
			wantCode:   1,
			wantErrOut: []string{"usage:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runPolicy(t.Context(), tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, &stdout, &stderr)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, &stdout)
				}
			}
			for _, w := range tt.wantErrOut {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, &stderr)
				}
			}
		})
	}
}
