package vpcnet

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// Destinations are the addresses a VPC-mode namespace holds, sorted: every
// interface endpoint ENI, every VPC resolver, and the public S3 addresses
// of every region of vpce.PublicS3Regions.
func Destinations(t *vpce.Topology) []netip.Addr {
	var out []netip.Addr
	for _, e := range t.Endpoints() {
		out = append(out, e.IPs()...)
	}
	for _, v := range t.VPCs() {
		out = append(out, v.ResolverIP())
	}
	for _, r := range vpce.PublicS3Regions(t) {
		out = append(out, vpce.PublicS3For(r).Addrs...)
		out = append(out, vpce.PublicEC2For(r).Addrs...)
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

// TableName is the nftables table (family inet) that Ruleset fills.
const TableName = "s3vpce"

// allowance is what passes to a set of destinations: one protocol (or tcp
// and udp alike) and its ports; all marks every port.
type allowance struct {
	protos []string // "tcp", "udp" or "icmp"
	ports  ports    // nil for icmp (echo request) and when all
	all    bool
	dsts   []netip.Addr
}

// allowances are what Decide lets inst reach among Destinations(t),
// grouped by protocol and ports, with a note per destination.
func allowances(t *vpce.Topology, inst *vpce.Instance) ([]allowance, []string) {
	type key struct {
		proto string
		ports string
	}
	byKey := map[key]*allowance{}
	var keys []key
	var notes []string
	for _, dst := range Destinations(t) {
		p, v := pathTo(t, inst, dst)
		if p == nil {
			notes = append(notes, fmt.Sprintf("%s: %s", dst, v.Reason))
			continue
		}
		var what []string
		for _, proto := range []string{vpce.ProtocolTCP, vpce.ProtocolUDP, vpce.ProtocolICMP} {
			ps := p.allowed(proto)
			k := key{proto: proto}
			a := allowance{protos: []string{proto}}
			switch {
			case proto == vpce.ProtocolICMP:
				if !ps.contains(icmpEchoRequest) {
					continue
				}
				what = append(what, "icmp echo-request")
			case len(ps) == 0:
				continue
			case len(ps) == 1 && ps[0] == portRange{0, 65535}:
				a.all, k.ports = true, "all"
				what = append(what, proto+" all")
			default:
				a.ports, k.ports = ps, ps.String()
				what = append(what, proto+" "+ps.String())
			}
			if byKey[k] == nil {
				byKey[k] = &a
				keys = append(keys, k)
			}
			byKey[k].dsts = append(byKey[k].dsts, dst)
		}
		if len(what) == 0 {
			notes = append(notes, fmt.Sprintf("%s via %s: no port passes the security groups", dst, p.via))
			continue
		}
		notes = append(notes, fmt.Sprintf("%s via %s: %s", dst, p.via, strings.Join(what, ", ")))
	}
	var out []allowance
	merged := map[key]bool{}
	for _, k := range keys {
		if merged[k] {
			continue
		}
		a := *byKey[k]
		// tcp and udp to the same destinations on the same ports (the
		// resolver's 53) make one rule.
		if u := (key{vpce.ProtocolUDP, k.ports}); k.proto == vpce.ProtocolTCP && byKey[u] != nil && slices.Equal(byKey[u].dsts, a.dsts) {
			a.protos = append(a.protos, vpce.ProtocolUDP)
			merged[u] = true
		}
		out = append(out, a)
	}
	slices.SortStableFunc(out, func(a, b allowance) int { return a.dsts[0].Compare(b.dsts[0]) })
	return out, notes
}

// Ruleset is the `nft -f` input that makes the kernel of the namespace
// holding the Destinations do what Decide says for the packets that
// arrive on ifname (the veth from inst's namespace): one table inet
// s3vpce, replaced whole in one transaction, whose input chain accepts
// TCP packets that open no connection, then exactly the destinations, ports
// and echo requests Decide allows from inst's private IP, and silently
// drops everything else that comes in on ifname (AWS sends no RST for a
// SYN a security group refuses). ifname must be a valid interface name.
func Ruleset(t *vpce.Topology, inst *vpce.Instance, ifname string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "table inet %s\ndelete table inet %s\n", TableName, TableName)
	fmt.Fprintf(&b, "# instance %s", inst.ID)
	if n := inst.Name(); n != "" {
		fmt.Fprintf(&b, " (%s)", n)
	}
	fmt.Fprintf(&b, ", %s in %s\n", inst.PrivateIP, inst.SubnetID)
	as, notes := allowances(t, inst)
	for _, n := range notes {
		fmt.Fprintf(&b, "# %s\n", n)
	}
	fmt.Fprintf(&b, "table inet %s {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n", TableName)
	in := fmt.Sprintf("\t\tiifname %q ", ifname)
	// Stateless, like the decision it enforces: a TCP packet that does
	// not open a connection passes (so an open connection outlives a
	// revoked rule, as a security group's tracked flows do), the first
	// SYN and every UDP datagram are judged. No conntrack in the path.
	fmt.Fprintf(&b, "%stcp flags & (syn | ack) != syn accept\n", in)
	for _, a := range as {
		fmt.Fprintf(&b, "%sip saddr %s ip daddr %s ", in, inst.PrivateIP, nftSet(strs(a.dsts)))
		switch {
		case a.protos[0] == vpce.ProtocolICMP:
			b.WriteString("icmp type echo-request")
		case len(a.protos) > 1 && a.all:
			fmt.Fprintf(&b, "meta l4proto %s", nftSet(a.protos))
		case len(a.protos) > 1:
			fmt.Fprintf(&b, "meta l4proto %s th dport %s", nftSet(a.protos), nftSet(strs(a.ports)))
		case a.all:
			fmt.Fprintf(&b, "meta l4proto %s", a.protos[0])
		default:
			fmt.Fprintf(&b, "%s dport %s", a.protos[0], nftSet(strs(a.ports)))
		}
		b.WriteString(" accept\n")
	}
	fmt.Fprintf(&b, "%sdrop\n\t}\n}\n", in)
	return b.String()
}

// nftSet renders one element as itself, several as an anonymous set.
func nftSet(es []string) string {
	if len(es) == 1 {
		return es[0]
	}
	return "{ " + strings.Join(es, ", ") + " }"
}

func strs[E fmt.Stringer](es []E) []string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.String()
	}
	return s
}

func (r portRange) String() string {
	if r.lo == r.hi {
		return strconv.Itoa(r.lo)
	}
	return strconv.Itoa(r.lo) + "-" + strconv.Itoa(r.hi)
}

func (p ports) String() string {
	s := make([]string, len(p))
	for i, r := range p {
		s[i] = r.String()
	}
	return strings.Join(s, ",")
}

// ApplyRuleset loads ruleset with `nft -f -` in the network namespace at
// nsPath (/proc/PID/ns/net), through util-linux's nsenter. nft applies a
// file in one transaction: on error nothing changes, and the error names
// the first line nft refused.
func ApplyRuleset(ctx context.Context, nsPath string, ruleset string) error {
	cmd := exec.CommandContext(ctx, "nsenter", "--net="+nsPath, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(ruleset)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nftError(nsPath, ruleset, out.String(), err)
	}
	return nil
}

// nftLocation is the start of nft's error lines: "/dev/stdin:5:3-10: Error: …".
var nftLocation = regexp.MustCompile(`(?m)^[^:\n]*:(\d+):[0-9-]*: (Error: .*)$`)

// nftError explains a failed nft run: the first line nft refused and its
// message, else whatever it (or nsenter) printed.
func nftError(nsPath, ruleset, out string, err error) error {
	if m := nftLocation.FindStringSubmatch(out); m != nil {
		n, _ := strconv.Atoi(m[1])
		lines := strings.Split(ruleset, "\n")
		line := ""
		if n >= 1 && n <= len(lines) {
			line = strings.TrimSpace(lines[n-1])
		}
		return fmt.Errorf("vpcnet: nft -f in %s: line %d %q: %s: %w", nsPath, n, line, m[2], err)
	}
	if msg := strings.TrimSpace(out); msg != "" {
		return fmt.Errorf("vpcnet: nft -f in %s: %s: %w", nsPath, msg, err)
	}
	return fmt.Errorf("vpcnet: nft -f in %s: %w", nsPath, err)
}
