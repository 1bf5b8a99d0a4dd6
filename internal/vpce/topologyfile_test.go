package vpce

import (
	"errors"
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
	if !reflect.DeepEqual(back.Spec(), DefaultTopology().Spec()) {
		t.Errorf("parsing %s does not give the default topology", golden)
	}
}

// brokenBase is the topology the error table breaks, one line per field
// so that the expected positions read off it.
const brokenBase = `{
  "vpcs": [
    {"id": "vpc-00000001", "cidr": "10.0.0.0/16"}
  ],
  "endpoints": [
    {
      "id": "vpce-0123456789abcdef0",
      "dns_suffix": "abcdefgh",
      "region": "eu-west-1",
      "vpc": "vpc-00000001",
      "zones": [
        {"name": "eu-west-1a", "ip": "10.0.1.5"}
      ]
    }
  ]
}`

// TestParseTopologyErrors: each broken topology file gets one message that
// names the field path, the line and the column, with one prefix.
func TestParseTopologyErrors(t *testing.T) {
	if topo, err := ParseTopology([]byte(brokenBase)); err != nil || topo.Endpoints()[0].Zones[0].IP.String() != "10.0.1.5" {
		t.Fatalf("good topology: %v", err)
	}
	withPolicy := strings.Replace(brokenBase, `"zones"`, `"policy": {"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}, "zones"`, 1)
	if topo, err := ParseTopology([]byte(withPolicy)); err != nil || !strings.Contains(topo.Endpoints()[0].Policy, `"Deny"`) {
		t.Fatalf("topology with an inline policy: %v", err)
	}
	broken := func(old, new string) string {
		if !strings.Contains(brokenBase, old) {
			t.Fatalf("%q is not in the base topology", old)
		}
		return strings.Replace(brokenBase, old, new, 1)
	}
	twoEndpoints := broken(`
  ]
}`, `,
    {"id": "vpce-0123456789abcdef0", "dns_suffix": "abcdefgh", "region": "eu-west-1", "vpc": "vpc-00000001",
     "zones": [{"name": "eu-west-1b", "ip": "10.0.2.5"}]}
  ]
}`)
	tests := []struct{ name, doc, want string }{
		{"syntax", "{\n  \"vpcs\": [,]\n}", "vpce: topology: line 2, column 12: invalid character ',' looking for beginning of value"},
		{"unknown field", broken(`"region"`, `"regoin"`), `vpce: topology: line 9, column 7: endpoints[0].regoin: unknown field "regoin"`},
		{"unknown field in a zone", broken(`"ip": "10.0.1.5"`, `"ip": "10.0.1.5", "subnet_id": "s-1"`), `vpce: topology: line 12, column 50: endpoints[0].zones[0].subnet_id: unknown field "subnet_id"`},
		{"unknown top-level field", broken(`"vpcs"`, `"vcps": [], "vpcs"`), `vpce: topology: line 2, column 3: vcps: unknown field "vcps"`},
		{"wrong type", broken(`"vpc": "vpc-00000001",`, `"vpc": "vpc-00000001", "private_dns": "yes",`), `vpce: topology: line 10, column 45: endpoints[0].private_dns: want true or false, got JSON string`},
		{"zones not an array", broken(`"zones": [
        {"name": "eu-west-1a", "ip": "10.0.1.5"}
      ]`, `"zones": {}`), `vpce: topology: line 11, column 16: endpoints[0].zones: want an array, got JSON object`},
		{"bad cidr", broken("10.0.0.0/16", "10.0.0.0/33"), `vpce: topology: line 3, column 36: vpcs[0].cidr: "10.0.0.0/33": want an IPv4 CIDR such as 10.0.0.0/16`},
		{"IPv6 cidr", broken("10.0.0.0/16", "fd00::/64"), `vpce: topology: line 3, column 36: vpcs[0].cidr: "fd00::/64": want an IPv4 CIDR`},
		{"bad vpc id", broken(`"id": "vpc-00000001"`, `"id": "1"`), `vpce: topology: line 3, column 12: vpcs[0].id: "1": want vpc- followed by 8 or 17 lower-case hex digits`},
		{"unknown vpc", broken(`"vpc": "vpc-00000001"`, `"vpc": "vpc-00000002"`), `vpce: topology: line 10, column 14: endpoints[0].vpc: "vpc-00000002" is not a VPC of this topology (vpcs: vpc-00000001)`},
		{"bad endpoint id", broken(`"vpce-0123456789abcdef0"`, `"vpce-XYZ"`), `vpce: topology: line 7, column 13: endpoints[0].id: "vpce-XYZ": want vpce- followed by 8 or 17 lower-case hex digits`},
		{"bad dns suffix", broken(`"abcdefgh"`, `"ABC"`), `vpce: topology: line 8, column 21: endpoints[0].dns_suffix: "ABC": want 8 lower-case letters or digits`},
		{"bad region", broken(`"region": "eu-west-1"`, `"region": "europe"`), `vpce: topology: line 9, column 17: endpoints[0].region: "europe": want a region name like us-east-1`},
		{"bad owner", broken(`"vpc": "vpc-00000001",`, `"vpc": "vpc-00000001", "owner": "12",`), `vpce: topology: line 10, column 39: endpoints[0].owner: "12": want a 12-digit account ID`},
		{"bad zone", broken(`"name": "eu-west-1a"`, `"name": "us-east-1a"`), `vpce: topology: line 12, column 18: endpoints[0].zones[0].name: "us-east-1a": want an availability zone of eu-west-1 such as eu-west-1a`},
		{"zone twice", broken(`{"name": "eu-west-1a", "ip": "10.0.1.5"}`, `{"name": "eu-west-1a", "ip": "10.0.1.5"}, {"name": "eu-west-1a", "ip": "10.0.1.6"}`), `vpce: topology: line 12, column 60: endpoints[0].zones[1].name: "eu-west-1a" listed twice (also zones[0])`},
		{"no zones", broken(`
        {"name": "eu-west-1a", "ip": "10.0.1.5"}
      `, ``), `vpce: topology: line 11, column 16: endpoints[0].zones: an interface endpoint needs at least one zone (subnet)`},
		{"bad ip", broken("10.0.1.5", "10.0.1"), `vpce: topology: line 12, column 38: endpoints[0].zones[0].ip: "10.0.1": ParseAddr("10.0.1"): IPv4 address too short`},
		{"policy not an object", broken(`"zones"`, `"policy": "allow all", "zones"`), `vpce: topology: line 11, column 17: endpoints[0].policy: want a policy document (a JSON object)`},
		{"endpoint twice", twoEndpoints, `vpce: topology: line 15, column 12: endpoints[1].id: "vpce-0123456789abcdef0" listed twice (also endpoints[0])`},
		{"inbound resolver without private DNS", broken(`"vpc": "vpc-00000001",`, `"vpc": "vpc-00000001", "private_dns_only_for_inbound_resolver_endpoint": true,`),
			`vpce: topology: line 10, column 80: endpoints[0].private_dns_only_for_inbound_resolver_endpoint: needs "private_dns": true`},
		{"no endpoints", `{"vpcs": []}`, "vpce: topology: endpoints: at least one endpoint is needed"},
		{"empty endpoints", "{\"vpcs\": [],\n \"endpoints\": []}", "vpce: topology: line 2, column 15: endpoints: at least one endpoint is needed"},
		{"subnet outside its VPC", broken(`"endpoints": [`, `"subnets": [{"id": "subnet-00000001", "vpc": "vpc-00000001", "cidr": "10.9.0.0/24", "az": "eu-west-1a"}],
  "endpoints": [`), `vpce: topology: line 5, column 72: subnets[0].cidr: 10.9.0.0/24 is not within the VPC's CIDR 10.0.0.0/16`},
		{"zone in a subnet of another zone", strings.Replace(broken(`"ip": "10.0.1.5"}`, `"ip": "10.0.1.5", "subnet": "subnet-00000001"}`), `"endpoints": [`, `"subnets": [{"id": "subnet-00000001", "vpc": "vpc-00000001", "cidr": "10.0.1.0/24", "az": "eu-west-1b"}],
  "endpoints": [`, 1), `vpce: topology: line 13, column 60: endpoints[0].zones[0].subnet: subnet-00000001 is in eu-west-1b, not eu-west-1a`},
		{"bad rule protocol", broken(`"endpoints": [`, `"security_groups": [{"id": "sg-00000001", "name": "x", "vpc": "vpc-00000001", "ingress": [{"protocol": "tpc", "from_port": 443, "cidrs": ["0.0.0.0/0"]}]}],
  "endpoints": [`), `vpce: topology: line 5, column 106: security_groups[0].ingress[0].protocol: "tpc": want tcp, udp, icmp or -1 (all)`},
		{"route to a detached gateway", broken(`"endpoints": [`, `"internet_gateways": [{"id": "igw-00000001"}], "route_tables": [{"id": "rtb-00000001", "vpc": "vpc-00000001", "routes": [{"destination": "0.0.0.0/0", "target": "igw-00000001"}]}],
  "endpoints": [`), `vpce: topology: line 5, column 163: route_tables[0].routes[0].target: igw-00000001 is not attached to vpc-00000001`},
		{"instance outside its subnet", broken(`"endpoints": [`, `"subnets": [{"id": "subnet-00000001", "vpc": "vpc-00000001", "cidr": "10.0.2.0/24", "az": "eu-west-1a"}], "instances": [{"id": "i-00000001", "subnet": "subnet-00000001", "ip": "10.0.3.7"}],
  "endpoints": [`), `vpce: topology: line 5, column 179: instances[0].ip: 10.0.3.7 is not within subnet-00000001 (10.0.2.0/24)`},
		{"trailing data", brokenBase + "\n{}", "vpce: topology: line 17, column 1: data after the top-level object"},
		{"empty", "", "vpce: topology: unexpected end of the document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTopology([]byte(tt.doc))
			if err == nil {
				t.Fatalf("ParseTopology: no error; want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("ParseTopology:\n got %s\nwant %s", err, tt.want)
			}
			var te *TopologyError
			if !errors.As(err, &te) {
				t.Errorf("error %T is not a *TopologyError", err)
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
	f.Add([]byte(`{"vpcs":[{"id":"vpc-00000001","cidr":"10.0.0.0/16"}],"endpoints":[{"id":"vpce-0123456789abcdef0","dns_suffix":"abcdefgh","region":"eu-west-1","vpc":"vpc-00000001","zones":[{"name":"eu-west-1a","ip":"10.0.1.5"}]}]}`))
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
		if !reflect.DeepEqual(back.Spec(), topo.Spec()) {
			t.Fatalf("round trip changed the topology")
		}
	})
}
