package policy

import "testing"

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		name       string
		pattern, v string
		fold, arn  bool
		want       bool
	}{
		{"star", "*", "anything", false, true, true},
		{"literal", "arn:aws:s3:::b/k", "arn:aws:s3:::b/k", false, true, true},
		{"literal case", "arn:aws:s3:::b/k", "arn:aws:s3:::B/k", false, true, false},
		{"object star spans slash", "arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c", false, true, true},
		{"object star spans colon in key", "arn:aws:s3:::b/*", "arn:aws:s3:::b/a:b", false, true, true},
		{"mid-segment star stays in segment", "arn:aws:s3:::b*/k", "arn:aws:s3:::bucket/k", false, true, true},
		{"star in region does not cross colon", "arn:aws:sns:us-*1:1:t", "arn:aws:sns:us-east-1:x:1:1:t", false, true, false},
		{"star ending a segment crosses colons", "arn:aws:sns:*", "arn:aws:sns:us-east-1:1:t", false, true, true},
		{"empty segments", "arn:aws:s3:::*", "arn:aws:s3:::b", false, true, true},
		{"wrong service", "arn:aws:s3:::*", "arn:aws:sqs:::b", false, true, false},
		{"too few segments", "arn:aws:s3:::b", "arn:aws:s3", false, true, false},
		{"question", "arn:aws:s3:::b?/k", "arn:aws:s3:::b1/k", false, true, true},
		{"question unicode", "arn:aws:s3:::b/?", "arn:aws:s3:::b/é", false, true, true},
		{"question not empty", "arn:aws:s3:::b?", "arn:aws:s3:::b", false, true, false},
		{"action fold", "s3:getobject", "S3:GetObject", true, false, true},
		{"action glob fold", "s3:get*", "s3:GetObjectVersion", true, false, true},
		{"action prefix not implied", "s3:getobject", "s3:GetObjectVersion", true, false, false},
		{"action question", "s3:?etObject", "s3:GetObject", true, false, true},
		{"backtracking", "a*b*c", "aXbYbZc", false, false, true},
		{"backtracking fail", "a*b*c", "aXbYbZ", false, false, false},
		{"plain star spans colon", "a*c", "a:b:c", false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := compilePattern(tt.pattern, true, false, tt.fold, tt.arn)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.match(tt.v, tt.fold, nil); got != tt.want {
				t.Errorf("%q ~ %q = %v, want %v", tt.pattern, tt.v, got, tt.want)
			}
			if tt.arn {
				if got := refARN(tt.pattern, tt.v); got != tt.want {
					t.Errorf("reference: %q ~ %q = %v, want %v", tt.pattern, tt.v, got, tt.want)
				}
			}
		})
	}
}

func TestVariables(t *testing.T) {
	r := &Request{Principal: Principal{ARN: "arn:aws:iam::111122223333:user/Mary", Username: "Mary", UserID: "AIDAEXAMPLE"}}
	r.Context.Set("aws:PrincipalTag/team", "blue")
	r.Context.Set("aws:TagKeys", "a", "b")
	tests := []struct {
		pattern, v string
		want       bool
	}{
		{"home/${aws:username}/*", "home/Mary/x", true},
		{"home/${aws:username}/*", "home/Bob/x", false},
		{"home/${AWS:UserName}/*", "home/Mary/x", true},
		{"${aws:userid}", "AIDAEXAMPLE", true},
		{"${aws:PrincipalTag/team}-*", "blue-1", true},
		{"${aws:nosuchkey}", "", false},
		{"${aws:nosuchkey, 'dflt'}/x", "dflt/x", true},
		{"${aws:nosuchkey,'d'}", "d", true},
		{"${aws:TagKeys}", "a", false}, // multivalued: not a variable value
		{"a${*}b", "a*b", true},
		{"a${*}b", "axb", false},
		{"a${?}b", "a?b", true},
		{"a${$}b", "a$b", true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"~"+tt.v, func(t *testing.T) {
			p, err := compilePattern(tt.pattern, true, true, false, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.match(tt.v, false, r); got != tt.want {
				t.Errorf("%q ~ %q = %v, want %v", tt.pattern, tt.v, got, tt.want)
			}
		})
	}
	for _, bad := range []string{"${", "${aws:username", "${}", "${aws:x, nodefault}", "${aws:x, 'unterminated}"} {
		if _, err := tokenize(bad, true, true); err == nil {
			t.Errorf("tokenize(%q) succeeded, want an error", bad)
		}
		if _, err := tokenize(bad, true, false); err != nil {
			t.Errorf("without variables tokenize(%q) = %v, want literal text", bad, err)
		}
	}
}

func TestContext(t *testing.T) {
	var c Context
	c.Set("AWS:SourceVpce", "vpce-1")
	c.Add("aws:sourcevpce", "vpce-2")
	c.Add("s3:prefix", "")
	if v, ok := c.Get("aws:SOURCEVPCE"); !ok || len(v) != 2 || v[0] != "vpce-1" || v[1] != "vpce-2" {
		t.Errorf("Get = %v, %v", v, ok)
	}
	if v, ok := c.Get("S3:Prefix"); !ok || len(v) != 1 || v[0] != "" {
		t.Errorf("empty value: %v, %v", v, ok)
	}
	c.Set("aws:SourceVpce", "vpce-3")
	if v, _ := c.Get("aws:sourcevpce"); len(v) != 1 || v[0] != "vpce-3" {
		t.Errorf("Set did not replace: %v", v)
	}
	c.Delete("AWS:SOURCEVPCE")
	if _, ok := c.Get("aws:SourceVpce"); ok || c.Len() != 1 {
		t.Errorf("Delete left the key; keys %v", c.Keys())
	}
	m := NewContext(map[string][]string{"aws:SourceVpc": {"vpc-1"}})
	if v, ok := m.Get("aws:sourcevpc"); !ok || v[0] != "vpc-1" {
		t.Errorf("NewContext: %v %v", v, ok)
	}
}
