package policy

import "testing"

func TestIsPublic(t *testing.T) {
	stmt := func(principal, condition string) string {
		s := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal +
			`,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"`
		if condition != "" {
			s += `,"Condition":` + condition
		}
		return s + `}]}`
	}
	tests := []struct {
		name string
		doc  string
		want bool
	}{
		{"everyone", stmt(`"*"`, ""), true},
		{"AWS star", stmt(`{"AWS":"*"}`, ""), true},
		{"one account", stmt(`{"AWS":"arn:aws:iam::111122223333:root"}`, ""), false},
		{"service", stmt(`{"Service":"cloudtrail.amazonaws.com"}`, ""), false},
		{"fixed VPC endpoint", stmt(`"*"`, `{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}`), false},
		{"wildcard VPC endpoint", stmt(`"*"`, `{"StringLike":{"aws:SourceVpce":"vpce-*"}}`), true},
		{"negated VPC endpoint", stmt(`"*"`, `{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}`), true},
		{"IfExists", stmt(`"*"`, `{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1a2b3c4d"}}`), true},
		{"CIDR", stmt(`"*"`, `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`), false},
		{"all IPv4", stmt(`"*"`, `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`), true},
		{"NotIpAddress", stmt(`"*"`, `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`), true},
		{"other key", stmt(`"*"`, `{"StringEquals":{"aws:UserAgent":"curl"}}`), true},
		{"role sessions", stmt(`"*"`, `{"StringLike":{"aws:userid":"AROAEXAMPLEID:*"}}`), false},
		{"principal org", stmt(`"*"`, `{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}`), false},
		{"deny only", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.doc), WithKind(KindBucket))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.IsPublic(); got != tt.want {
				t.Errorf("IsPublic = %v, want %v", got, tt.want)
			}
		})
	}
}
