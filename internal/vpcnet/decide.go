package vpcnet

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// Flow is a connection an instance opens, or a datagram it sends.
type Flow struct {
	// Proto is vpce.ProtocolTCP, vpce.ProtocolUDP or vpce.ProtocolICMP.
	Proto string
	Dst   netip.Addr
	// Port is the TCP or UDP destination port (-1 for ICMP, which means
	// an echo request).
	Port int
}

// Hops a flow can take (Verdict.Via), besides the IDs of the gateway,
// peering connection or gateway endpoint it goes through.
const (
	ViaLocal    = "local"    // inside the instance's VPC
	ViaResolver = "resolver" // the VPC resolver (base+2), which security groups do not filter
)

// Verdict says whether a flow reaches its destination, and how.
type Verdict struct {
	Allowed bool
	// Via is the hop: ViaLocal, ViaResolver, a peering connection
	// "pcx-…", an internet gateway "igw-…" or an S3 gateway endpoint
	// "vpce-…". Set for refused flows too when a route exists.
	Via string
	// Reason explains a refusal in the user's terms (which security group
	// lacks which rule, which route table has no route); "" when allowed.
	Reason string
}

// icmpEchoRequest is the ICMP type of an echo request (ping), the only
// ICMP a Flow stands for.
const icmpEchoRequest = 8

// Decide is what happens to f from inst in t, as AWS decides it: the
// instance's own VPC resolver answers DNS whatever the security groups;
// any other destination needs a route in the instance's subnet's route
// table (the most specific wins: local, a peering connection with a route
// back, an internet gateway for an instance with a public IP, an S3
// gateway endpoint's prefix list), then the instance's security groups'
// egress and, for a network interface in a VPC, the destination's security
// groups' ingress (public S3 has none, and answers no ICMP echo request).
// Security groups are stateful: replies always pass, only the first packet
// of a flow is decided.
func Decide(t *vpce.Topology, inst *vpce.Instance, f Flow) Verdict {
	switch f.Proto {
	case vpce.ProtocolTCP, vpce.ProtocolUDP:
		if f.Port < 0 || f.Port > 65535 {
			return Verdict{Reason: fmt.Sprintf("vpcnet: port %d: want 0 to 65535", f.Port)}
		}
	case vpce.ProtocolICMP:
		f.Port = -1
	default:
		return Verdict{Reason: fmt.Sprintf("vpcnet: protocol %q: want tcp, udp or icmp", f.Proto)}
	}
	p, v := pathTo(t, inst, f.Dst)
	if p == nil {
		return v
	}
	if p.resolver {
		if (f.Proto == vpce.ProtocolTCP || f.Proto == vpce.ProtocolUDP) && f.Port == 53 {
			return Verdict{Allowed: true, Via: ViaResolver}
		}
		return Verdict{Via: ViaResolver, Reason: fmt.Sprintf("the VPC resolver %s answers only DNS (udp and tcp 53), not %s", f.Dst, flowName(f.Proto, f.Port))}
	}
	port := f.Port
	if f.Proto == vpce.ProtocolICMP {
		if !p.dst.filtered {
			return Verdict{Via: p.via, Reason: fmt.Sprintf("%s is public S3, which does not answer icmp echo-request", f.Dst)}
		}
		port = icmpEchoRequest
	}
	if !p.egress[f.Proto].contains(port) {
		return Verdict{Via: p.via, Reason: fmt.Sprintf("%s %s no %s to %s", groupNames(p.srcGroups), allowVerb(p.srcGroups), flowName(f.Proto, f.Port), f.Dst)}
	}
	if p.dst.filtered && !p.ingress[f.Proto].contains(port) {
		return Verdict{Via: p.via, Reason: fmt.Sprintf("%s %s no %s from %s", groupNames(p.dst.groups), allowVerb(p.dst.groups), flowName(f.Proto, f.Port), inst.PrivateIP)}
	}
	return Verdict{Allowed: true, Via: p.via}
}

// path is how an instance reaches one address: the hop, what is there,
// and the ports the security groups on both ends let through, per
// protocol (ICMP "ports" are ICMP types).
type path struct {
	via      string
	resolver bool // the instance's own VPC resolver: no security groups
	dst      target
	// srcGroups are the instance's security groups.
	srcGroups []*vpce.SecurityGroup
	// egress and ingress are the ports the instance's egress rules and the
	// destination's ingress rules allow, per protocol.
	egress, ingress map[string]ports
}

// allowed is the ports that pass both ends for proto.
func (p *path) allowed(proto string) ports {
	if p.resolver {
		if proto == vpce.ProtocolICMP {
			return nil
		}
		return ports{{53, 53}}
	}
	if !p.dst.filtered {
		if proto == vpce.ProtocolICMP {
			return nil // public S3 answers no ping
		}
		return p.egress[proto]
	}
	return p.egress[proto].intersect(p.ingress[proto])
}

// target is what holds an address.
type target struct {
	addr netip.Addr
	// filtered marks a network interface in a VPC, whose security groups
	// filter what comes in; public S3 has none.
	filtered bool
	groups   []*vpce.SecurityGroup
	// eni marks an interface endpoint's network interface.
	eni bool
}

// pathTo finds how inst reaches dst: a path, or nil and the refusal.
func pathTo(t *vpce.Topology, inst *vpce.Instance, dst netip.Addr) (*path, Verdict) {
	sub, ok := t.Subnet(inst.SubnetID)
	if !ok {
		return nil, Verdict{Reason: fmt.Sprintf("vpcnet: instance %s: no subnet %s in the topology", inst.ID, inst.SubnetID)}
	}
	own, _ := t.VPC(sub.VPCID)
	for _, v := range t.VPCs() {
		if v.ResolverIP() != dst {
			continue
		}
		if v.ID != own.ID {
			return nil, Verdict{Reason: fmt.Sprintf("%s is the resolver of %s: an instance reaches only its own VPC's resolver (%s)", dst, vpcName(v), own.ResolverIP())}
		}
		if !v.EnableDNSSupport {
			return nil, Verdict{Via: ViaResolver, Reason: fmt.Sprintf("DNS resolution is off in %s (enableDnsSupport false): the resolver %s does not answer", vpcName(v), dst)}
		}
		return &path{via: ViaResolver, resolver: true}, Verdict{}
	}
	rtb, ok := t.RouteTableOf(sub.ID)
	if !ok {
		return nil, Verdict{Reason: fmt.Sprintf("no route to %s from subnet %s (it has no route table: %s has no main route table)", dst, sub.ID, own.ID)}
	}
	rt, ok := bestRoute(t, rtb.ID, dst)
	if !ok {
		return nil, Verdict{Reason: fmt.Sprintf("no route to %s from subnet %s (route table %s)", dst, sub.ID, rtb.ID)}
	}
	p := &path{via: rt.Target, srcGroups: groupsOf(t, own.ID, inst.SecurityGroups)}
	switch {
	case rt.Target == "local":
		p.via = ViaLocal
		tg, ok := targetIn(t, own.ID, dst)
		if !ok {
			return nil, Verdict{Via: ViaLocal, Reason: fmt.Sprintf("nothing at %s in %s", dst, vpcName(own))}
		}
		p.dst = tg
	case strings.HasPrefix(rt.Target, vpce.PrefixPeering+"-"):
		pcx, ok := t.Peering(rt.Target)
		if !ok {
			return nil, Verdict{Via: rt.Target, Reason: fmt.Sprintf("route %s -> %s in %s: no such peering connection", rt.Destination, rt.Target, rtb.ID)}
		}
		peerID, _ := pcx.Connects(own.ID)
		peer, _ := t.VPC(peerID)
		if !peer.CIDR.Contains(dst) {
			return nil, Verdict{Via: pcx.ID, Reason: fmt.Sprintf("%s is not in %s (%s): %s carries no transit traffic", dst, vpcName(peer), peer.CIDR, pcx.ID)}
		}
		tg, ok := targetIn(t, peer.ID, dst)
		if !ok {
			return nil, Verdict{Via: pcx.ID, Reason: fmt.Sprintf("nothing at %s in %s", dst, vpcName(peer))}
		}
		back, backSub, ok := routeTableAt(t, peer.ID, dst)
		if !ok {
			return nil, Verdict{Via: pcx.ID, Reason: fmt.Sprintf("no route back to %s from %s: %s has no main route table", inst.PrivateIP, dst, peer.ID)}
		}
		if r, ok := bestRoute(t, back.ID, inst.PrivateIP); !ok || r.Target != pcx.ID {
			return nil, Verdict{Via: pcx.ID, Reason: fmt.Sprintf("no route back to %s through %s from subnet %s (route table %s)", inst.PrivateIP, pcx.ID, backSub, back.ID)}
		}
		p.dst = tg
	case strings.HasPrefix(rt.Target, vpce.PrefixIGW+"-"):
		if !inst.PublicIP.IsValid() {
			return nil, Verdict{Via: rt.Target, Reason: fmt.Sprintf("instance %s has no public IP address: %s does not carry its traffic to %s", inst.ID, rt.Target, dst)}
		}
		_, s3 := vpce.PublicS3At(t, dst)
		if _, ec2 := vpce.PublicEC2At(t, dst); !s3 && !ec2 {
			return nil, Verdict{Via: rt.Target, Reason: fmt.Sprintf("%s is outside the emulated world: only S3's and the EC2 API's public addresses answer through %s", dst, rt.Target)}
		}
		p.dst = target{addr: dst}
	default: // a gateway endpoint's prefix-list route, which bestRoute matched to dst
		p.dst = target{addr: dst}
	}
	p.egress = map[string]ports{}
	p.ingress = map[string]ports{}
	for _, proto := range []string{vpce.ProtocolTCP, vpce.ProtocolUDP, vpce.ProtocolICMP} {
		for _, g := range p.srcGroups {
			for _, r := range g.Egress {
				if ruleCovers(r, dst, p.dst.groups) {
					p.egress[proto] = p.egress[proto].union(ruleRange(r, proto))
				}
			}
		}
		for _, g := range p.dst.groups {
			for _, r := range g.Ingress {
				if ruleCovers(r, inst.PrivateIP, p.srcGroups) {
					p.ingress[proto] = p.ingress[proto].union(ruleRange(r, proto))
				}
			}
		}
	}
	return p, Verdict{}
}

// prefixListBits is how specific a route to S3's prefix list is when
// routes are compared: the entries of the S3 prefix lists are /15 to /19
// blocks (52.216.0.0/15 holds the seed's 52.216.53.32 and
// 52.217.194.208), so a prefix-list route beats 0.0.0.0/0 and loses to a
// /16 or narrower route.
const prefixListBits = 15

// bestRoute is the route of table rtbID that EC2 uses for dst: the most
// specific; on a tie a CIDR route beats a prefix-list route.
func bestRoute(t *vpce.Topology, rtbID string, dst netip.Addr) (vpce.Route, bool) {
	var best vpce.Route
	bits := -1
	for _, r := range t.Routes(rtbID) {
		b := -1
		switch {
		case r.PrefixList != "":
			g, ok := t.GatewayEndpoint(r.Target)
			if ok && slices.Contains(vpce.PublicS3For(g.Region).Addrs, dst) {
				b = prefixListBits
			}
		case r.Destination.Contains(dst):
			b = r.Destination.Bits()
		}
		if b > bits {
			best, bits = r, b
		}
	}
	return best, bits >= 0
}

// routeTableAt is the route table of the subnet that holds dst in vpcID (an
// instance's subnet, an ENI's zone's subnet), else the VPC's main table;
// and the subnet's ID ("" for the main table by default).
func routeTableAt(t *vpce.Topology, vpcID string, dst netip.Addr) (*vpce.RouteTable, string, bool) {
	subID := ""
	for _, in := range t.Instances() {
		if in.PrivateIP == dst && subnetVPC(t, in.SubnetID) == vpcID {
			subID = in.SubnetID
		}
	}
	for _, e := range t.Endpoints() {
		if e.VPCID != vpcID {
			continue
		}
		for _, z := range e.Zones {
			if z.IP == dst && z.SubnetID != "" {
				subID = z.SubnetID
			}
		}
	}
	if subID != "" {
		rtb, ok := t.RouteTableOf(subID)
		return rtb, subID, ok
	}
	for _, r := range t.RouteTables() {
		if r.VPCID == vpcID && r.Main {
			return &r, "(main route table of " + vpcID + ")", true
		}
	}
	return nil, "", false
}

// targetIn finds what holds dst in vpcID: an interface endpoint's ENI or an
// instance.
func targetIn(t *vpce.Topology, vpcID string, dst netip.Addr) (target, bool) {
	for _, e := range t.Endpoints() {
		if e.VPCID != vpcID || !slices.Contains(e.IPs(), dst) {
			continue
		}
		return target{addr: dst, filtered: true, eni: true, groups: groupsOf(t, vpcID, e.SecurityGroups)}, true
	}
	for _, in := range t.Instances() {
		if in.PrivateIP == dst && subnetVPC(t, in.SubnetID) == vpcID {
			return target{addr: dst, filtered: true, groups: groupsOf(t, vpcID, in.SecurityGroups)}, true
		}
	}
	return target{}, false
}

func subnetVPC(t *vpce.Topology, subnetID string) string {
	if s, ok := t.Subnet(subnetID); ok {
		return s.VPCID
	}
	return ""
}

// groupsOf resolves security group IDs; none means the VPC's "default"
// group, as EC2 gives a network interface created without groups.
func groupsOf(t *vpce.Topology, vpcID string, ids []string) []*vpce.SecurityGroup {
	var gs []*vpce.SecurityGroup
	for _, id := range ids {
		if g, ok := t.SecurityGroup(id); ok {
			gs = append(gs, g)
		}
	}
	if len(ids) == 0 {
		for i, g := range t.SecurityGroups() {
			if g.VPCID == vpcID && g.Name == "default" {
				gs = append(gs, &t.SecurityGroups()[i])
			}
		}
	}
	return gs
}

// ruleCovers reports whether rule r names peer: a CIDR holding addr, or a
// group peer is a member of.
func ruleCovers(r vpce.Rule, addr netip.Addr, peer []*vpce.SecurityGroup) bool {
	for _, c := range r.CIDRs {
		if c.Contains(addr) {
			return true
		}
	}
	for _, g := range peer {
		if slices.Contains(r.Groups, g.ID) {
			return true
		}
	}
	return false
}

// ruleRange is the ports (ICMP: types) rule r allows for proto.
func ruleRange(r vpce.Rule, proto string) ports {
	all := ports{{0, 65535}}
	if proto == vpce.ProtocolICMP {
		all = ports{{0, 255}}
	}
	switch {
	case r.Protocol == vpce.ProtocolAll:
		return all
	case r.Protocol != proto:
		return nil
	case proto == vpce.ProtocolICMP:
		// FromPort is the ICMP type, ToPort the code; an echo request
		// has code 0.
		switch {
		case r.FromPort == -1:
			return all
		case r.ToPort == -1 || r.ToPort == 0:
			return ports{{r.FromPort, r.FromPort}}
		}
		return nil
	}
	return ports{{r.FromPort, r.ToPort}}
}

func flowName(proto string, port int) string {
	if proto == vpce.ProtocolICMP {
		return "icmp echo-request"
	}
	return fmt.Sprintf("%s %d", proto, port)
}

// groupNames lists security groups as "sg-… (name)".
func groupNames(gs []*vpce.SecurityGroup) string {
	if len(gs) == 0 {
		return "no security group"
	}
	s := make([]string, len(gs))
	for i, g := range gs {
		s[i] = g.ID + " (" + g.Name + ")"
	}
	return strings.Join(s, ", ")
}

func allowVerb(gs []*vpce.SecurityGroup) string {
	if len(gs) == 1 {
		return "allows"
	}
	return "allow"
}

func vpcName(v vpce.VPC) string {
	switch {
	case v.Name() != "":
		return v.ID + " (" + v.Name() + ")"
	case v.IsDefault:
		return v.ID + " (default VPC)"
	}
	return v.ID
}

// ports is a sorted list of disjoint, non-adjacent closed ranges.
type ports []portRange

type portRange struct{ lo, hi int }

func (p ports) contains(n int) bool {
	for _, r := range p {
		if r.lo <= n && n <= r.hi {
			return true
		}
	}
	return false
}

// union merges q into p.
func (p ports) union(q ports) ports {
	all := append(slices.Clone(p), q...)
	slices.SortFunc(all, func(a, b portRange) int { return a.lo - b.lo })
	var out ports
	for _, r := range all {
		if n := len(out); n > 0 && r.lo <= out[n-1].hi+1 {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

func (p ports) intersect(q ports) ports {
	var out ports
	for _, a := range p {
		for _, b := range q {
			if lo, hi := max(a.lo, b.lo), min(a.hi, b.hi); lo <= hi {
				out = append(out, portRange{lo, hi})
			}
		}
	}
	return ports(nil).union(out)
}
