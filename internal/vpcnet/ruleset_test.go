package vpcnet

import (
	"errors"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func TestDestinations(t *testing.T) {
	got := Destinations(vpce.DefaultTopology())
	var want []netip.Addr
	for _, s := range []string{
		"52.216.53.32", "52.217.194.208", "52.218.26.139", "52.218.110.115",
		"54.239.117.11", "54.239.177.71", // ec2.us-east-1 and ec2.eu-west-1.amazonaws.com
		"172.16.0.2", "172.16.1.143", "172.16.2.143", "172.16.3.143", "172.16.5.143", "172.16.6.143", "172.16.10.143",
		"172.31.0.2",
	} {
		want = append(want, netip.MustParseAddr(s))
	}
	if !slices.Equal(got, want) {
		t.Errorf("Destinations(seed) = %v, want %v", got, want)
	}
}

func TestRulesetGolden(t *testing.T) {
	topo := vpce.DefaultTopology()
	for _, in := range topo.Instances() {
		t.Run(in.Name(), func(t *testing.T) {
			got := Ruleset(topo, &in, "vpc0")
			path := filepath.Join("testdata", "ruleset-"+in.Name()+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("Ruleset for %s differs from %s:\n%s", in.PrivateIP, path, got)
			}
		})
	}
}

// allows interprets the rules Ruleset writes (its allowances) for one
// packet.
func allows(as []allowance, dst netip.Addr, f Flow) bool {
	for _, a := range as {
		if !slices.Contains(a.dsts, dst) || !slices.Contains(a.protos, f.Proto) {
			continue
		}
		if f.Proto == vpce.ProtocolICMP || a.all || a.ports.contains(f.Port) {
			return true
		}
	}
	return false
}

// TestRulesetAgreesWithDecide checks, for every destination of the
// namespace, that the ruleset accepts exactly the packets Decide allows.
func TestRulesetAgreesWithDecide(t *testing.T) {
	topologies := []struct {
		name   string
		change func(s *vpce.Spec)
	}{
		{name: "seed"},
		{name: "endpoint group without 443", change: func(s *vpce.Spec) { group(s, vpce.DefaultEndpointGroupID).Ingress = nil }},
		{name: "egress ranges", change: func(s *vpce.Spec) {
			group(s, seedWebGroup).Egress = []vpce.Rule{
				{Protocol: vpce.ProtocolTCP, FromPort: 400, ToPort: 500, CIDRs: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}},
				{Protocol: vpce.ProtocolUDP, FromPort: 53, ToPort: 53, CIDRs: []netip.Prefix{netip.MustParsePrefix("172.16.0.0/16")}},
			}
			g := group(s, vpce.DefaultEndpointGroupID)
			g.Ingress = append(g.Ingress,
				vpce.Rule{Protocol: vpce.ProtocolTCP, FromPort: 0, ToPort: 1000, CIDRs: []netip.Prefix{netip.MustParsePrefix("172.16.10.0/24")}},
				vpce.Rule{Protocol: vpce.ProtocolAll, FromPort: -1, ToPort: -1, Groups: []string{seedWebGroup}})
		}},
		{name: "ping", change: func(s *vpce.Spec) {
			g := group(s, vpce.DefaultEndpointGroupID)
			g.Ingress = append(g.Ingress, vpce.Rule{Protocol: vpce.ProtocolICMP, FromPort: -1, ToPort: -1, CIDRs: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}})
		}},
		{name: "no gateway endpoints, no internet gateway", change: func(s *vpce.Spec) {
			s.GatewayEndpoints = nil
			dropRoute(s, seedMyMainRTB, "0.0.0.0/0")
			s.InternetGateways = s.InternetGateways[:1]
		}},
	}
	var flows []Flow
	for _, port := range []int{0, 22, 53, 80, 399, 400, 443, 444, 500, 501, 1000, 1001, 8443, 65535} {
		flows = append(flows, Flow{Proto: vpce.ProtocolTCP, Port: port}, Flow{Proto: vpce.ProtocolUDP, Port: port})
	}
	flows = append(flows, Flow{Proto: vpce.ProtocolICMP, Port: -1})
	for _, tc := range topologies {
		t.Run(tc.name, func(t *testing.T) {
			topo := changed(t, tc.change)
			for _, in := range topo.Instances() {
				as, _ := allowances(topo, &in)
				allowed := 0
				for _, dst := range Destinations(topo) {
					for _, f := range flows {
						f.Dst = dst
						v := Decide(topo, &in, f)
						if got := allows(as, dst, f); got != v.Allowed {
							t.Errorf("%s -> %s %s %d: ruleset accepts=%v, Decide=%+v", in.PrivateIP, dst, f.Proto, f.Port, got, v)
						}
						if v.Allowed {
							allowed++
						}
					}
				}
				if allowed == 0 {
					t.Errorf("%s reaches nothing: the comparison proves little", in.PrivateIP)
				}
			}
		})
	}
}

func TestNFTError(t *testing.T) {
	ruleset := "table inet s3vpce {\n\tchain input {\n\t\tbogus rule\n\t}\n}\n"
	exit := errors.New("exit status 1")
	tests := []struct {
		name string
		out  string
		want []string
	}{
		{name: "syntax error", out: "/dev/stdin:3:3-7: Error: syntax error, unexpected string\n\t\tbogus rule\n\t\t^^^^^\n",
			want: []string{`line 3 "bogus rule"`, "Error: syntax error, unexpected string", "/proc/1/ns/net"}},
		{name: "first of several", out: "/dev/stdin:3:3-7: Error: one\n/dev/stdin:5:1-1: Error: two\n",
			want: []string{"line 3", "Error: one"}},
		{name: "no location", out: "nsenter: failed to execute nft: No such file or directory\n",
			want: []string{"nsenter: failed to execute nft: No such file or directory"}},
		{name: "no output", out: "", want: []string{"vpcnet: nft -f in /proc/1/ns/net: exit status 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := nftError("/proc/1/ns/net", ruleset, tt.out, exit)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if !errors.Is(err, exit) {
				t.Errorf("error %q does not wrap the exit error", err)
			}
		})
	}
}
