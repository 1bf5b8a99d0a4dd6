package policy

import (
	"slices"
	"strings"
	"testing"
)

// TestValidateAll: every error of a document is reported, located and in
// document order, and what parses but names no S3 action or condition key
// is warned about.
func TestValidateAll(t *testing.T) {
	stmt := func(body string) string {
		return `{"Version":"2012-10-17","Statement":[` + body + `]}`
	}
	tests := []struct {
		name     string
		doc      string
		kind     Kind
		errors   []string
		warnings []string
	}{
		{
			name: "clean",
			doc:  stmt(`{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:Get*","S3:putobject","s3:*"],"Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1","s3:prefix":"a/","s3:ExistingObjectTag/team":"x","AWS:PrincipalTag/dept":"y"}}}`),
			kind: KindEndpoint,
		},
		{
			name: "every error, not just the first",
			doc:  stmt(`{"Effect":"Permit","Action":"s3:GetObject","Resource":"bucket"},{"Sid":"B","Effect":"Allow","Action":"s3:GetObject"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEqualz":{"a:b":"c"}}}`),
			kind: KindIdentity,
			errors: []string{
				`policy: statement 0: field Effect: must be "Allow" or "Deny", not "Permit" at line 1, column 48`,
				`policy: statement 0: field Resource: invalid resource "bucket" (want "*" or an ARN arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE) at line 1, column 92`,
				`policy: statement 1 (Sid "B"): field Resource: statement needs Resource or NotResource at line 1, column 102`,
				`policy: statement 2: field Condition: unknown operator "StringEqualz" at line 1, column 213`,
			},
			warnings: []string{
				`policy: statement 2: field Condition: unknown condition key "a:b": neither a global aws: key nor one S3 supplies, so the request never has it at line 1, column 229`,
			},
		},
		{
			name: "top level errors and statements after them",
			doc:  `{"Versoin":"2012-10-17","Version":"2020-01-01","Statement":{"Effect":"Allow","Action":"s3:PutObjekt","Resource":"*"}}`,
			kind: KindIdentity,
			errors: []string{
				`policy: field Versoin: unknown field "Versoin" at line 1, column 2`,
				`policy: field Version: unsupported version "2020-01-01" (want "2012-10-17" or "2008-10-17") at line 1, column 35`,
			},
			warnings: []string{
				`policy: statement 0: field Action: unknown action "s3:PutObjekt": S3 has no such action, so the statement never applies to it (did you mean "s3:PutObject"?) at line 1, column 87`,
			},
		},
		{
			name: "a bad Effect is not also a missing one",
			doc:  stmt(`{"Effect":7,"Action":"s3:GetObject","Resource":"*"}`),
			kind: KindIdentity,
			errors: []string{
				`policy: statement 0: field Effect: must be a string, not number at line 1, column 48`,
			},
		},
		{
			name: "endpoint principal rule with other errors",
			doc:  stmt(`{"Effect":"Allow","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"*"}`),
			kind: KindEndpoint,
			errors: []string{
				`policy: statement 0: field Principal: a VPC endpoint policy statement needs a Principal at line 1, column 38`,
				`policy: statement 0: field NotAction: Action and NotAction cannot both appear in one statement at line 1, column 80`,
			},
		},
		{
			name: "wildcards that match nothing, other services, aws:SourceIp",
			doc:  stmt(`{"Effect":"Deny","Principal":"*","Action":["s3:Fetch*","s3:?etObject","kms:Decrypt"],"Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"},"StringEquals":{"s3:x-amz-acl":"private","aws:SourceVPCE":"vpce-1"}}}`),
			kind: KindBucket,
			warnings: []string{
				`policy: statement 0: field Action: action "s3:Fetch*" matches no S3 action at line 1, column 81`,
				`policy: statement 0: field Action: action "kms:Decrypt" is not an S3 action: no request through an S3 endpoint or to a bucket is checked against it at line 1, column 108`,
				`policy: statement 0: field Condition: condition key "aws:SourceIp" is absent for requests through a VPC endpoint: use aws:VpcSourceIp (the client's private address) or aws:SourceVpce at line 1, column 164`,
			},
		},
		{
			name: "other services are fine in identity policies",
			doc:  stmt(`{"Effect":"Allow","Action":["kms:Decrypt","s3:GetObject"],"Resource":"*"}`),
			kind: KindIdentity,
		},
		{
			name: "unknown key with a near miss",
			doc:  stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringLike":{"s3:prefixes":"a/*"}}}`),
			kind: KindIdentity,
			warnings: []string{
				`policy: statement 0: field Condition: unknown condition key "s3:prefixes": neither a global aws: key nor one S3 supplies, so the request never has it (did you mean "s3:prefix"?) at line 1, column 123`,
			},
		},
		{
			name: "every bad operator and key of a Condition",
			doc:  stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEqualz":{"s3:prefix":"a"},"StringEquals":{"nocolon":"x","s3:prefix":[]},"NumericLessThan":{"s3:max-keys":"ten"}}}`),
			kind: KindIdentity,
			errors: []string{
				`policy: statement 0: field Condition: unknown operator "StringEqualz" at line 1, column 109`,
				`policy: statement 0: field Condition: invalid condition key "nocolon" (want PREFIX:NAME such as "aws:SourceVpce") at line 1, column 158`,
				`policy: statement 0: field Condition: StringEquals s3:prefix: values must not be an empty array at line 1, column 184`,
				`policy: statement 0: field Condition: NumericLessThan s3:max-keys: invalid number "ten" at line 1, column 221`,
			},
		},
		{
			name:   "not JSON",
			doc:    `{"Statement": [}`,
			kind:   KindIdentity,
			errors: []string{`policy: invalid JSON: invalid character '}' looking for beginning of value at line 1, column 16`},
		},
	}
	render := func(pes []*ParseError) []string {
		var out []string
		for _, pe := range pes {
			out = append(out, pe.Error())
		}
		return out
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ValidateAll([]byte(tt.doc), tt.kind)
			if got := render(r.Errors); !slices.Equal(got, tt.errors) {
				t.Errorf("errors:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(tt.errors, "\n     "))
			}
			if got := render(r.Warnings); !slices.Equal(got, tt.warnings) {
				t.Errorf("warnings:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(tt.warnings, "\n     "))
			}
			// Parse refuses exactly the documents with errors.
			_, err := Parse([]byte(tt.doc), WithKind(tt.kind))
			if (err != nil) != (len(tt.errors) > 0) {
				t.Errorf("Parse error %v, want one only when ValidateAll reports errors", err)
			}
		})
	}
}

// TestOperationTableActionsKnown: every action the operation table checks
// is known to the linter, so a policy naming it gets no warning.
func TestOperationTableActionsKnown(t *testing.T) {
	for _, a := range knownS3Actions() {
		if msg := lintAction(a, KindEndpoint); msg != "" {
			t.Errorf("%s: %s", a, msg)
		}
	}
	for _, k := range knownConditionKeys() {
		if strings.HasSuffix(k, "/") {
			k += "x"
		}
		if msg := lintConditionKey(k); msg != "" && !strings.EqualFold(k, "aws:SourceIp") {
			t.Errorf("%s: %s", k, msg)
		}
	}
}

func TestGlobFold(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"Get*", "GetObject", true},
		{"get*", "GetObject", true},
		{"*Object", "GetObject", true},
		{"?etObject", "GetObject", true},
		{"*", "", true},
		{"Get*Acl", "GetObjectVersionAcl", true},
		{"Get*Acl", "GetObjectVersion", false},
		{"Fetch*", "GetObject", false},
		{"GetObject?", "GetObject", false},
		{"*a*a*a*a*a*a*a*a*a*a*a*b", strings.Repeat("a", 60), false},
	}
	for _, tt := range tests {
		if got := globFold(tt.pattern, tt.name); got != tt.want {
			t.Errorf("globFold(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

// TestValidateAllSupplying: with Supplying, a key of the operation table
// that the evaluator does not supply is a warning; a supplied one, a
// supplied family member, a common key and a global key are not.
func TestValidateAllSupplying(t *testing.T) {
	supplied := []string{"s3:prefix", "s3:ExistingObjectTag/"}
	tests := []struct {
		key  string
		warn bool
	}{
		{"s3:LocationConstraint", true},
		{"s3:DataAccessPointArn", true},
		{"s3:prefix", false},
		{"s3:ExistingObjectTag/team", false},
		{"s3:ResourceAccount", false},
		{"aws:SourceVpce", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*",` +
				`"Condition":{"StringEquals":{"` + tt.key + `":"x"}}}]}`
			r := ValidateAll([]byte(doc), KindBucket, Supplying(supplied))
			got := false
			for _, w := range r.Warnings {
				if strings.Contains(w.Error(), "does not put it in the request context") {
					got = true
				}
			}
			if got != tt.warn || len(r.Errors) != 0 {
				t.Errorf("warned %v, want %v; report %+v", got, tt.warn, r)
			}
			if plain := ValidateAll([]byte(doc), KindBucket); len(plain.Warnings) != 0 {
				t.Errorf("without Supplying: warnings %v", plain.Warnings)
			}
		})
	}
}
