package vpce

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// TestPolicyModeInTopologyFile: "policy_mode" is read and written with the
// topology; enforce is the default and is not written; anything else is a
// located error.
func TestPolicyModeInTopologyFile(t *testing.T) {
	base, err := MarshalTopology(DefaultTopology())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(base, []byte("policy_mode")) {
		t.Fatalf("the default topology writes policy_mode:\n%s", base)
	}
	withMode := func(m string) []byte {
		return bytes.Replace(base, []byte("{\n"), []byte("{\n  \"policy_mode\": \""+m+"\",\n"), 1)
	}
	tests := []struct {
		name, mode string
		want       PolicyMode
		written    bool
	}{
		{"audit", "audit", PolicyAudit, true},
		{"enforce", "enforce", PolicyEnforce, false},
		{"empty", "", PolicyEnforce, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo, err := ParseTopology(withMode(tt.mode))
			if err != nil {
				t.Fatal(err)
			}
			if topo.PolicyMode() != tt.want {
				t.Errorf("PolicyMode() = %q, want %q", topo.PolicyMode(), tt.want)
			}
			out, err := MarshalTopology(topo)
			if err != nil {
				t.Fatal(err)
			}
			if got := bytes.Contains(out, []byte(`"policy_mode": "audit"`)); got != tt.written {
				t.Errorf("written: %v, want %v:\n%s", got, tt.written, out)
			}
			back, err := ParseTopology(out)
			if err != nil || !reflect.DeepEqual(back.Spec(), topo.Spec()) {
				t.Errorf("round trip: %v", err)
			}
		})
	}
	_, err = ParseTopology(withMode("strict"))
	var te *TopologyError
	if !errors.As(err, &te) || te.Path != "policy_mode" || te.Line != 2 {
		t.Errorf("policy_mode strict: %v", err)
	}
}

// TestWithPolicyMode: a new snapshot in the new mode, the old one
// unchanged; enforce equals the default.
func TestWithPolicyMode(t *testing.T) {
	topo := DefaultTopology()
	audit, err := topo.WithPolicyMode(PolicyAudit)
	if err != nil {
		t.Fatal(err)
	}
	if audit.PolicyMode() != PolicyAudit || topo.PolicyMode() != PolicyEnforce {
		t.Errorf("modes: new %q, old %q", audit.PolicyMode(), topo.PolicyMode())
	}
	back, err := audit.WithPolicyMode(PolicyEnforce)
	if err != nil || !reflect.DeepEqual(back.Spec(), topo.Spec()) {
		t.Errorf("audit then enforce differs from the default (%v)", err)
	}
	if _, err := topo.WithPolicyMode("off"); err == nil {
		t.Error("mode off accepted")
	}
	if _, err := ParsePolicyMode("Audit"); err == nil {
		t.Error(`ParsePolicyMode("Audit") accepted`)
	}
}

// FuzzParsePolicyMode: only "", enforce and audit are accepted, and what
// is accepted parses again to itself.
func FuzzParsePolicyMode(f *testing.F) {
	for _, s := range []string{"", "enforce", "audit", "AUDIT", " audit", "audit\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		m, err := ParsePolicyMode(in)
		if err != nil {
			if in == "" || in == "enforce" || in == "audit" {
				t.Fatalf("ParsePolicyMode(%q): %v", in, err)
			}
			return
		}
		if in != "" && in != "enforce" && in != "audit" {
			t.Fatalf("ParsePolicyMode(%q) accepted: %q", in, m)
		}
		if again, err := ParsePolicyMode(string(m)); err != nil || again != m {
			t.Fatalf("ParsePolicyMode(%q) = %q, again %q, %v", in, m, again, err)
		}
	})
}
