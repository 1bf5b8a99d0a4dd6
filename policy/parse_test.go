package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrorFormat(t *testing.T) {
	tests := []struct {
		err  ParseError
		want string
	}{
		{ParseError{Statement: 2, Sid: "DenyPut", Field: "Condition", Line: 14, Col: 9, Msg: `unknown operator "StringEqualz"`},
			`policy: statement 2 (Sid "DenyPut"): field Condition: unknown operator "StringEqualz" at line 14, column 9`},
		{ParseError{Statement: 0, Field: "Effect", Line: 3, Col: 5, Msg: "missing Effect"},
			`policy: statement 0: field Effect: missing Effect at line 3, column 5`},
		{ParseError{Statement: -1, Field: "Version", Line: 1, Col: 13, Msg: "unsupported version"},
			`policy: field Version: unsupported version at line 1, column 13`},
		{ParseError{Statement: -1, Msg: "policy has 20481 characters"}, `policy: policy has 20481 characters`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		kind Kind
	}{
		{"statement object", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, KindIdentity},
		{"condition number and bool", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true}}}}`, KindIdentity},
		{"gateway AWS star", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*","Resource":"*"}}`, KindGatewayEndpoint},
		{"principal forms", `{"Statement":{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:user/a/b","arn:aws:iam::111122223333:role/r","arn:aws:sts::111122223333:assumed-role/r/s","arn:aws:sts::111122223333:federated-user/f","AIDAJQABLZS4A3QDU576Q"],"Service":"s3.amazonaws.com","CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"*","Resource":"*"}}`, KindBucket},
		{"every operator", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{
			"StringEquals":{"a:b":"x"},"StringNotEquals":{"a:b":"x"},"StringEqualsIgnoreCase":{"a:b":"x"},"StringNotEqualsIgnoreCase":{"a:b":"x"},
			"StringLike":{"a:b":"x*"},"StringNotLike":{"a:b":"x?"},"NumericEquals":{"a:b":"1"},"NumericNotEquals":{"a:b":"1.5"},
			"NumericLessThan":{"a:b":"-1"},"NumericLessThanEquals":{"a:b":"1e3"},"NumericGreaterThan":{"a:b":"1"},"NumericGreaterThanEquals":{"a:b":"1"},
			"DateEquals":{"a:b":"2024-01-01T00:00:00Z"},"DateNotEquals":{"a:b":"1704067200"},"DateLessThan":{"a:b":"2024-01-01"},
			"DateLessThanEquals":{"a:b":"2024-01-01T00:00:00.123Z"},"DateGreaterThan":{"a:b":"2024-01-01T00:00:00+02:00"},"DateGreaterThanEquals":{"a:b":"2024-01-01T00:00:00Z"},
			"Bool":{"a:b":"TRUE"},"BinaryEquals":{"a:b":"AAEC"},"IpAddress":{"a:b":["10.0.0.0/8","2001:db8::/32","192.0.2.1"]},"NotIpAddress":{"a:b":"::1"},
			"ArnEquals":{"a:b":"arn:aws:s3:::x"},"ArnLike":{"a:b":"arn:aws:s3:::*"},"ArnNotEquals":{"a:b":"arn:aws:s3:::x"},"ArnNotLike":{"a:b":"arn:*"},
			"Null":{"a:b":"false"},"StringLikeIfExists":{"a:b":"x"},"ForAnyValue:StringEquals":{"a:b":"x"},"ForAllValues:StringLikeIfExists":{"a:b":"x"},
			"ForAnyValue:NumericLessThan":{"a:b":"3"}}}}`, KindBucket},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.doc), WithKind(tt.kind))
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Validate(tt.kind); err != nil {
				t.Errorf("Validate(%v) = %v", tt.kind, err)
			}
			if p.Kind != tt.kind {
				t.Errorf("Kind = %v", p.Kind)
			}
		})
	}
}

func TestPolicyValidateKinds(t *testing.T) {
	p, err := Parse([]byte(`{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/r"},"Action":"*","Resource":"*"}}`))
	if err != nil {
		t.Fatal(err)
	}
	for kind, wantErr := range map[Kind]string{
		KindUnspecified:     "",
		KindEndpoint:        "",
		KindBucket:          "",
		KindGatewayEndpoint: `only accepts Principal "*"`,
		KindIdentity:        "cannot have a Principal",
	} {
		err := p.Validate(kind)
		if (err == nil) != (wantErr == "") || (err != nil && !strings.Contains(err.Error(), wantErr)) {
			t.Errorf("Validate(%v) = %v, want %q", kind, err, wantErr)
		}
		var pe *ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Errorf("Validate(%v) error is %T", kind, err)
		}
	}
}

func TestParseKind(t *testing.T) {
	for s, want := range map[string]Kind{"endpoint": KindEndpoint, "interface": KindEndpoint, "Gateway": KindGatewayEndpoint,
		"gateway-endpoint": KindGatewayEndpoint, "bucket": KindBucket, "resource": KindBucket, "identity": KindIdentity} {
		if got, err := ParseKind(s); err != nil || got != want {
			t.Errorf("ParseKind(%q) = %v, %v", s, got, err)
		}
		if got, _ := ParseKind(want.String()); got != want {
			t.Errorf("ParseKind(%v.String()) = %v", want, got)
		}
	}
	if _, err := ParseKind("firewall"); err == nil {
		t.Error("ParseKind(firewall) succeeded")
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	doc := `{"Version":"2012-10-17","Id":"x<y>","Statement":[{"Sid":"A","Effect":"Deny","NotPrincipal":{"AWS":["111122223333"]},"NotAction":["s3:Get*"],"NotResource":["arn:aws:s3:::b/${aws:username}/*"],"Condition":{"StringEquals":{"aws:SourceVpce":["v1","v2"],"aws:SourceVpc":["vpc"]},"NumericLessThan":{"s3:max-keys":["10"]}}}]}`
	p, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := p.MarshalJSON()
	if string(b) != doc {
		t.Errorf("MarshalJSON\n got %s\nwant %s", b, doc)
	}
	if !strings.Contains(p.String(), "\n  \"Version\": \"2012-10-17\"") {
		t.Errorf("String is not indented JSON:\n%s", p)
	}
}
