package policy

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestContextKeys(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"no conditions", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, nil},
		{"condition keys lower case, once", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*",
			"Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1","AWS:sourcevpce":"vpce-2"},"Null":{"s3:x-amz-acl":"true"}}}]}`,
			[]string{"aws:sourcevpce", "s3:x-amz-acl"}},
		{"variables in resources and values", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*",
			"Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"StringLike":{"s3:prefix":"${aws:PrincipalTag/team, 'x'}/*"},
			"StringEquals":{"aws:SourceVpc":"${aws:SourceVpce}"}}}]}`,
			[]string{"aws:principaltag/team", "aws:sourcevpc", "aws:sourcevpce", "aws:username", "s3:prefix"}},
		{"no variables before 2012-10-17", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.doc), WithKind(KindBucket))
			if err != nil {
				t.Fatal(err)
			}
			ks := p.ContextKeys()
			if ks.All() || !slices.Equal(ks.Keys(), tt.want) {
				t.Fatalf("ContextKeys = %q (all %v), want %q", ks.Keys(), ks.All(), tt.want)
			}
			for _, k := range tt.want {
				if !ks.Has(strings.ToUpper(k)) {
					t.Errorf("Has(%q) = false", strings.ToUpper(k))
				}
			}
			if ks.Has("aws:notused") {
				t.Error(`Has("aws:notused") = true`)
			}
		})
	}
	t.Run("nil policy reads nothing", func(t *testing.T) {
		var p *Policy
		if ks := p.ContextKeys(); ks.All() || ks.Has("aws:sourcevpce") {
			t.Fatalf("ContextKeys of nil = %+v", ks)
		}
	})
	t.Run("policy not made by Parse reads everything", func(t *testing.T) {
		ks := (&Policy{}).ContextKeys()
		if !ks.All() || !ks.Has("anything") || !ks.HasPrefix("s3:existingobjecttag/") {
			t.Fatalf("ContextKeys of a literal Policy = %+v, want all", ks)
		}
	})
	t.Run("prefix", func(t *testing.T) {
		p, err := Parse([]byte(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"s3:ExistingObjectTag/env":"prod"}}}]}`))
		if err != nil {
			t.Fatal(err)
		}
		ks := p.ContextKeys()
		if !ks.HasPrefix("s3:existingobjecttag/") || ks.HasPrefix("s3:requestobjecttag/") {
			t.Fatalf("HasPrefix wrong for %q", ks.Keys())
		}
	})
}

// variableRE finds policy variables in a policy's JSON text, independently
// of the tokenizer.
var variableRE = regexp.MustCompile(`\$\{([^},]+)[},]`)

// checkContextKeys is run on every corpus case: the keys each policy
// reports must include every condition key and variable written in it,
// and evaluating with the context reduced to the reported keys (after
// adding noise values for every other key the corpus uses) must decide
// exactly as the full context does.
func checkContextKeys(t *testing.T, r *Request, att []Attached) {
	t.Helper()
	var sets []KeySet
	for _, a := range att {
		ks := a.Policy.ContextKeys()
		sets = append(sets, ks)
		if a.Policy == nil {
			continue
		}
		if ks.All() {
			t.Fatal("a parsed policy reports all keys")
		}
		for _, st := range a.Policy.Statements {
			for _, c := range st.Conditions {
				if !ks.Has(c.Key) {
					t.Errorf("ContextKeys %q lacks condition key %q", ks.Keys(), c.Key)
				}
			}
		}
		if a.Policy.variables() {
			doc, err := a.Policy.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range variableRE.FindAllStringSubmatch(string(doc), -1) {
				if v := strings.TrimSpace(m[1]); v != "*" && v != "?" && v != "$" && !ks.Has(v) {
					t.Errorf("ContextKeys %q lacks variable %q", ks.Keys(), v)
				}
			}
		}
	}
	needed := func(k string) bool {
		return slices.ContainsFunc(sets, func(ks KeySet) bool { return ks.Has(k) })
	}
	full := *r
	full.Context = Context{}
	for _, k := range r.Context.Keys() {
		v, _ := r.Context.Get(k)
		full.Context.Set(k, v...)
	}
	for _, k := range noiseKeys {
		if _, ok := full.Context.Get(k); !ok {
			full.Context.Set(k, noiseValue(k))
		}
	}
	reduced := full
	reduced.Context = Context{}
	for _, k := range full.Context.Keys() {
		if needed(k) {
			v, _ := full.Context.Get(k)
			reduced.Context.Set(k, v...)
		}
	}
	df, tf := EvaluateTrace(&full, att...)
	dr, tr := EvaluateTrace(&reduced, att...)
	if df != dr || tf.String() != tr.String() {
		t.Errorf("decision with the reduced context %+v differs from the full one's %+v\nfull trace:\n%s\nreduced trace:\n%s", dr, df, tf, tr)
	}
}

// noiseKeys are keys a request context may hold whatever the policy.
var noiseKeys = []string{"aws:SourceVpce", "aws:SourceVpc", "aws:SourceIp", "aws:VpcSourceIp", "aws:SecureTransport",
	"aws:CurrentTime", "aws:EpochTime", "aws:RequestedRegion", "aws:UserAgent", "aws:Referer", "aws:ResourceAccount",
	"aws:SourceVpcArn", "aws:PrincipalArn", "aws:PrincipalAccount", "aws:username", "aws:userid", "aws:PrincipalTag/team",
	"aws:PrincipalOrgID", "aws:SourceAccount", "aws:SourceArn", "s3:ResourceAccount", "s3:TlsVersion", "s3:authType",
	"s3:signatureversion", "s3:signatureAge", "s3:x-amz-content-sha256", "s3:x-amz-acl", "s3:prefix", "s3:delimiter",
	"s3:max-keys", "s3:versionid", "s3:DataAccessPointArn", "s3:DataAccessPointAccount", "s3:AccessPointNetworkOrigin",
	"s3:ExistingObjectTag/env", "s3:RequestObjectTag/env", "s3:RequestObjectTagKeys", "s3:x-amz-server-side-encryption",
	"s3:x-amz-copy-source", "s3:x-amz-metadata-directive", "s3:x-amz-storage-class", "s3:object-lock-mode"}

func noiseValue(k string) string {
	lk := strings.ToLower(k)
	switch {
	case strings.Contains(lk, "ip"):
		return "10.9.9.9"
	case strings.Contains(lk, "time"):
		return "2001-02-03T04:05:06Z"
	case strings.HasSuffix(lk, "age") || strings.HasSuffix(lk, "keys") && !strings.Contains(lk, "tag"):
		return "7"
	case strings.HasSuffix(lk, "transport"):
		return "false"
	}
	return "noise"
}

// FuzzContextKeys parses a policy and checks that a key the policy does not
// report cannot change its decision.
func FuzzContextKeys(f *testing.F) {
	addCorpusSeeds(f, func(doc []byte) { f.Add(doc, "aws:SourceVpce", "vpce-1") })
	f.Fuzz(func(t *testing.T, doc []byte, key, value string) {
		p, err := Parse(doc, WithKind(KindBucket))
		if err != nil || key == "" {
			return
		}
		ks := p.ContextKeys()
		if ks.Has(key) {
			return
		}
		r := Request{Principal: Principal{ARN: "arn:aws:iam::111122223333:user/u"}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
		with := r
		with.Context.Set(key, value)
		att := Attached{Policy: p, Kind: KindBucket, ResourceAccount: "111122223333"}
		if d1, d2 := Evaluate(&r, att), Evaluate(&with, att); d1 != d2 {
			t.Fatalf("key %q, not in ContextKeys %q, changed the decision: %+v then %+v", key, ks.Keys(), d1, d2)
		}
	})
}
