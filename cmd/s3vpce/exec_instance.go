package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"slices"
	"strings"

	"github.com/s3vpce/s3vpce/internal/netns"
	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/internal/vpcnet"
)

// instanceMode is `s3vpce exec --instance`: the command runs as one
// instance of the topology (netns.Instance) behind the packet filter
// vpcnet renders for it in the router namespace; both follow the
// topology while the command runs.
type instanceMode struct {
	id    string // the instance's ID, found at the start
	label string // "i-… (name, 172.16.10.77)", for messages
	// ruleset is the ruleset last applied, gone whether the instance has
	// been deleted (said once).
	ruleset string
	gone    bool
	// set is the addresses of the topology last applied.
	set netns.AddrSet
	// applyRuleset loads a ruleset in the namespace at nsPath
	// (vpcnet.ApplyRuleset).
	applyRuleset func(ctx context.Context, nsPath, ruleset string) error
}

// newInstanceMode finds the instance ref names (an ID, a Name tag or a
// private IP) in topo, and where it sits: its namespace settings, and its
// VPC's resolver and search domain for its resolv.conf.
func newInstanceMode(topo *vpce.Topology, ref string) (*instanceMode, *netns.Instance, netip.Addr, string, error) {
	inst, err := topo.FindInstance(ref)
	if err != nil {
		return nil, nil, netip.Addr{}, "", err
	}
	sub, ok := topo.Subnet(inst.SubnetID)
	if !ok {
		return nil, nil, netip.Addr{}, "", fmt.Errorf("instance %s: its subnet %s does not exist", inst.ID, inst.SubnetID)
	}
	vpc, ok := topo.VPC(sub.VPCID)
	if !ok {
		return nil, nil, netip.Addr{}, "", fmt.Errorf("instance %s: its VPC %s does not exist", inst.ID, sub.VPCID)
	}
	place := &netns.Instance{
		Addr:     netip.PrefixFrom(inst.PrivateIP, sub.CIDR.Bits()),
		Gateway:  sub.CIDR.Masked().Addr().Next(),
		Hostname: inst.Hostname(),
	}
	label := inst.ID
	if n := inst.Name(); n != "" {
		label += " (" + n + ", " + inst.PrivateIP.String() + ")"
	} else {
		label += " (" + inst.PrivateIP.String() + ")"
	}
	return &instanceMode{id: inst.ID, label: label, applyRuleset: vpcnet.ApplyRuleset}, place, vpc.ResolverIP(), vpce.EC2Domain(regionOfAZ(sub.AZ)), nil
}

// regionOfAZ is the region of an availability zone: us-east-1 of us-east-1d.
func regionOfAZ(az string) string { return strings.TrimRight(az, "abcdefghijklmnopqrstuvwxyz") }

// instanceAddrs are the addresses the router namespace holds for topo
// (vpcnet.Destinations): the VPC resolvers, first resolver the first
// (its DNS sockets are the first ones), and all the others.
func instanceAddrs(topo *vpce.Topology, first netip.Addr) netns.AddrSet {
	resolvers := map[netip.Addr]bool{}
	for _, v := range topo.VPCs() {
		resolvers[v.ResolverIP()] = true
	}
	var set netns.AddrSet
	for _, a := range vpcnet.Destinations(topo) {
		if resolvers[a] {
			set.Resolvers = append(set.Resolvers, a)
		} else {
			set.Addrs = append(set.Addrs, a)
		}
	}
	if i := slices.Index(set.Resolvers, first); i > 0 {
		set.Resolvers = slices.Insert(slices.Delete(set.Resolvers, i, i+1), 0, first)
	}
	return set
}

// apply makes the router namespace at nsPath filter the instance's
// packets as topo says: the instance is found again by its ID and its
// ruleset applied when it changed; once it has been deleted every packet
// from it is dropped, said once on stderr. It returns the addresses the
// namespace should hold.
func (m *instanceMode) apply(ctx context.Context, topo *vpce.Topology, nsPath string, stderr io.Writer) (netns.AddrSet, error) {
	var first netip.Addr
	var ruleset string
	if inst, ok := topo.Instance(m.id); ok {
		if sub, ok := topo.Subnet(inst.SubnetID); ok {
			if vpc, ok := topo.VPC(sub.VPCID); ok {
				first = vpc.ResolverIP()
			}
		}
		ruleset = vpcnet.Ruleset(topo, inst, netns.RouterLink)
		m.gone = false
	} else {
		if !m.gone {
			fmt.Fprintf(stderr, "s3vpce exec: instance %s was deleted: every packet from it is dropped now\n", m.label)
		}
		m.gone = true
		ruleset = dropAllRuleset(netns.RouterLink)
	}
	set := instanceAddrs(topo, first)
	m.set = set
	if ruleset == m.ruleset {
		return set, nil
	}
	if err := m.applyRuleset(ctx, nsPath, ruleset); err != nil {
		return set, fmt.Errorf("the packet filter of instance %s: %w", m.label, err)
	}
	m.ruleset = ruleset
	return set, nil
}

// dropAllRuleset drops every packet that arrives on ifname: the network
// of an instance that no longer exists.
func dropAllRuleset(ifname string) string {
	return fmt.Sprintf("table inet %[1]s\ndelete table inet %[1]s\n"+
		"table inet %[1]s {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\tiifname %[2]q drop\n\t}\n}\n",
		vpcnet.TableName, ifname)
}

// fetchTopology reads the topology of the serve running with the state
// directory of home, from its admin API.
func fetchTopology(ctx context.Context, home string) (*vpce.Topology, error) {
	c, err := adminClient(home)
	if err != nil {
		return nil, err
	}
	data, err := adminDo(ctx, c, http.MethodGet, "/v1/topology", nil)
	if err != nil {
		return nil, fmt.Errorf("read the running serve's topology: %w", err)
	}
	topo, err := vpce.ParseTopology(data)
	if err != nil {
		return nil, fmt.Errorf("read the running serve's topology: %w", err)
	}
	return topo, nil
}

// errInstanceNeedsRoot explains why --instance runs only as root.
var errInstanceNeedsRoot = errors.New("--instance needs root: the instance's packet filter (nftables) cannot be set up from a user namespace here; run it with sudo")

// withoutEnv drops key from env.
func withoutEnv(env []string, key string) []string {
	return slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, key+"=") })
}

// isRoot reports whether exec runs as root.
func isRoot() bool { return os.Geteuid() == 0 }
