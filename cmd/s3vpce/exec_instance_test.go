package main

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/s3vpce/s3vpce/internal/netns"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// TestNewInstanceMode: an instance is found by ID, Name tag or private IP,
// and placed in its subnet: address with the subnet's prefix length,
// gateway base+1, host name, its own VPC's resolver and search domain.
func TestNewInstanceMode(t *testing.T) {
	t.Parallel()
	topo := vpce.DefaultTopology()
	for _, tc := range []struct {
		ref                 string
		addr, gw, resolver  string
		hostname, id, label string
	}{
		{"172.16.10.77", "172.16.10.77/24", "172.16.10.1", "172.16.0.2", "ip-172-16-10-77", "i-0b2c3d4e5f6a70819", "i-0b2c3d4e5f6a70819 (my-vpc-host, 172.16.10.77)"},
		{"my-vpc-host", "172.16.10.77/24", "172.16.10.1", "172.16.0.2", "ip-172-16-10-77", "i-0b2c3d4e5f6a70819", "i-0b2c3d4e5f6a70819 (my-vpc-host, 172.16.10.77)"},
		{"i-0a1b2c3d4e5f60718", "172.31.80.132/20", "172.31.80.1", "172.31.0.2", "ip-172-31-80-132", "i-0a1b2c3d4e5f60718", "i-0a1b2c3d4e5f60718 (default-vpc-host, 172.31.80.132)"},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			m, place, resolver, search, err := newInstanceMode(topo, tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			if place.Addr.String() != tc.addr || place.Gateway.String() != tc.gw || place.Hostname != tc.hostname {
				t.Errorf("placed at %s via %s as %s, want %s via %s as %s", place.Addr, place.Gateway, place.Hostname, tc.addr, tc.gw, tc.hostname)
			}
			if resolver.String() != tc.resolver || search != "ec2.internal" {
				t.Errorf("resolver %s, search %s; want %s, ec2.internal", resolver, search, tc.resolver)
			}
			if m.id != tc.id || m.label != tc.label {
				t.Errorf("id %s, label %q; want %s, %q", m.id, m.label, tc.id, tc.label)
			}
		})
	}
	t.Run("unknown", func(t *testing.T) {
		_, _, _, _, err := newInstanceMode(topo, "nosuch")
		if err == nil || !strings.Contains(err.Error(), "i-0b2c3d4e5f6a70819 (my-vpc-host, 172.16.10.77)") {
			t.Errorf("got %v, want the list of instances", err)
		}
	})
}

// TestInstanceModeApply: the ruleset is applied at the first topology and
// again only when it changes; once the instance is deleted every packet
// from it is dropped, said once; the addresses are the destinations with
// the instance's own resolver first.
func TestInstanceModeApply(t *testing.T) {
	t.Parallel()
	topo := vpce.DefaultTopology()
	m, _, _, _, err := newInstanceMode(topo, "172.31.80.132")
	if err != nil {
		t.Fatal(err)
	}
	var applied []string
	m.applyRuleset = func(_ context.Context, nsPath, ruleset string) error {
		if nsPath != "/proc/1/ns/net" {
			t.Errorf("applied in %s", nsPath)
		}
		applied = append(applied, ruleset)
		return nil
	}
	var stderr strings.Builder
	apply := func(topo *vpce.Topology) netns.AddrSet {
		t.Helper()
		set, err := m.apply(t.Context(), topo, "/proc/1/ns/net", &stderr)
		if err != nil {
			t.Fatal(err)
		}
		return set
	}
	set := apply(topo)
	if len(set.Resolvers) < 2 || set.Resolvers[0] != netip.MustParseAddr("172.31.0.2") {
		t.Errorf("resolvers %v: want the default VPC's 172.31.0.2 first, and my-vpc's", set.Resolvers)
	}
	if !slices.Contains(set.Addrs, netip.MustParseAddr("172.16.10.143")) || slices.ContainsFunc(set.Addrs, func(a netip.Addr) bool { return slices.Contains(set.Resolvers, a) }) {
		t.Errorf("addrs %v: want the ENIs, not the resolvers", set.Addrs)
	}
	apply(topo)
	if len(applied) != 1 {
		t.Fatalf("%d rulesets applied for one topology twice, want 1", len(applied))
	}

	spec := topo.Spec()
	spec.Instances = slices.DeleteFunc(spec.Instances, func(in vpce.Instance) bool { return in.ID == "i-0a1b2c3d4e5f60718" })
	without, err := vpce.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	apply(without)
	apply(without)
	if len(applied) != 2 || !strings.Contains(applied[1], `iifname "`+netns.RouterLink+`" drop`) {
		t.Fatalf("after the deletion: %q; want one drop-all ruleset more", applied)
	}
	if got := stderr.String(); strings.Count(got, "was deleted") != 1 || !strings.Contains(got, "i-0a1b2c3d4e5f60718 (default-vpc-host, 172.31.80.132)") {
		t.Errorf("stderr %q: want the deletion said once, naming the instance", got)
	}
}
