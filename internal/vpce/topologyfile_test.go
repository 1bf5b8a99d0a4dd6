package vpce

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// testdata/topology.json is the default topology in file form: serve
// --topology testdata/topology.json runs exactly the defaults.
func TestTopologyFileGolden(t *testing.T) {
	golden := filepath.Join("..", "..", "testdata", "topology.json")
	got, err := MarshalTopology(DefaultTopology())
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("default topology differs from %s (go test -update to rewrite):\n%s", golden, got)
	}
	back, err := ParseTopology(want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Endpoints(), DefaultTopology().Endpoints()) || !reflect.DeepEqual(back.VPCs(), DefaultTopology().VPCs()) {
		t.Errorf("parsing %s does not give the default topology", golden)
	}
}

func TestParseTopologyErrors(t *testing.T) {
	good := `{"vpcs":[{"id":"vpc-1","cidr":"10.0.0.0/16"}],"endpoints":[{"id":"vpce-0123456789abcdef0","dns_suffix":"abcdefgh","region":"eu-west-1","vpc":"vpc-1","zones":[{"name":"eu-west-1a","ip":"10.0.1.5"}]}]}`
	if topo, err := ParseTopology([]byte(good)); err != nil || topo.Endpoints()[0].Zones[0].IP.String() != "10.0.1.5" {
		t.Fatalf("good topology: %v", err)
	}
	withPolicy := strings.Replace(good, `"zones"`, `"policy":{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]},"zones"`, 1)
	if topo, err := ParseTopology([]byte(withPolicy)); err != nil || !strings.Contains(topo.Endpoints()[0].Policy, `"Deny"`) {
		t.Fatalf("topology with an inline policy: %v", err)
	}
	tests := []struct{ name, doc, want string }{
		{"syntax", "{\n  \"vpcs\": [,]\n}", "line 2, column"},
		{"unknown field", strings.Replace(good, `"region"`, `"regoin"`, 1), `unknown field "regoin"`},
		{"wrong type", strings.Replace(good, `"vpc":"vpc-1","zones"`, `"vpc":"vpc-1","private_dns":"yes","zones"`, 1), "field endpoints.private_dns: want bool"},
		{"bad cidr", strings.Replace(good, "10.0.0.0/16", "10.0.0.0/33", 1), "vpcs[0].cidr"},
		{"bad ip", strings.Replace(good, "10.0.1.5", "10.0.1", 1), "endpoints[0].zones[0].ip"},
		{"policy not an object", strings.Replace(good, `"zones"`, `"policy":"allow all","zones"`, 1), "endpoints[0].policy"},
		{"unknown vpc", strings.Replace(good, `"vpc":"vpc-1"`, `"vpc":"vpc-2"`, 1), `vpc "vpc-2" is not in the topology`},
		{"bad zone", strings.Replace(good, `"name":"eu-west-1a"`, `"name":"us-east-1a"`, 1), "zone 0"},
		{"no endpoints", `{"vpcs":[]}`, "at least one endpoint"},
		{"trailing data", good + " {}", "data after the top-level object"},
		{"empty", "", "unexpected end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTopology([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseTopology: %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

// FuzzParseTopology: never panics; what parses marshals and parses back
// to the same topology.
func FuzzParseTopology(f *testing.F) {
	if b, err := MarshalTopology(DefaultTopology()); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"vpcs":[{"id":"vpc-1","cidr":"10.0.0.0/16"}],"endpoints":[{"id":"vpce-0123456789abcdef0","dns_suffix":"abcdefgh","region":"eu-west-1","vpc":"vpc-1","zones":[{"name":"eu-west-1a","ip":"10.0.1.5"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		topo, err := ParseTopology(data)
		if err != nil {
			return
		}
		b, err := MarshalTopology(topo)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		back, err := ParseTopology(b)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", b, err)
		}
		if !reflect.DeepEqual(back.VPCs(), topo.VPCs()) || len(back.Endpoints()) != len(topo.Endpoints()) {
			t.Fatalf("round trip changed the topology")
		}
	})
}
