package vpce

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// index fills the ID maps, checking each ID's form and uniqueness.
func (t *Topology) index() error {
	s := &t.spec
	var err error
	ids := func(kind, prefix string, n int, id func(int) string) map[string]int {
		m := make(map[string]int, n)
		for i := range n {
			if err != nil {
				return m
			}
			v := id(i)
			path := fmt.Sprintf("%s[%d].id", kind, i)
			switch j, dup := m[v]; {
			case !ValidResourceID(prefix, v):
				err = fieldErr(path, "%q: want %s- followed by 8 or 17 lower-case hex digits", v, prefix)
			case dup:
				err = fieldErr(path, "%q listed twice (also %s[%d])", v, kind, j)
			}
			m[v] = i
		}
		return m
	}
	t.vpcByID = ids("vpcs", PrefixVPC, len(s.VPCs), func(i int) string { return s.VPCs[i].ID })
	t.subByID = ids("subnets", PrefixSubnet, len(s.Subnets), func(i int) string { return s.Subnets[i].ID })
	t.sgByID = ids("security_groups", PrefixGroup, len(s.SecurityGroups), func(i int) string { return s.SecurityGroups[i].ID })
	t.rtbByID = ids("route_tables", PrefixRTB, len(s.RouteTables), func(i int) string { return s.RouteTables[i].ID })
	t.igwByID = ids("internet_gateways", PrefixIGW, len(s.InternetGateways), func(i int) string { return s.InternetGateways[i].ID })
	t.pcxByID = ids("peerings", PrefixPeering, len(s.Peerings), func(i int) string { return s.Peerings[i].ID })
	t.instByID = ids("instances", PrefixInstance, len(s.Instances), func(i int) string { return s.Instances[i].ID })
	t.gwByID = ids("gateway_endpoints", PrefixEndpoint, len(s.GatewayEndpoints), func(i int) string { return s.GatewayEndpoints[i].ID })
	t.byID = ids("endpoints", PrefixEndpoint, len(s.Endpoints), func(i int) string { return s.Endpoints[i].ID })
	if err != nil {
		return err
	}
	for id, i := range t.byID {
		if j, dup := t.gwByID[id]; dup {
			return fieldErr(fmt.Sprintf("endpoints[%d].id", i), "%q is also gateway_endpoints[%d]", id, j)
		}
	}
	return nil
}

// check validates every cross-reference of the spec.
func (t *Topology) check() error {
	s := &t.spec
	if !validAccount(s.Account) {
		return fieldErr("account", "%q: want a 12-digit account ID", s.Account)
	}
	if err := checkPolicyMode(&s.PolicyMode); err != nil {
		return err
	}
	vpcIDs := make([]string, len(s.VPCs))
	for i, v := range s.VPCs {
		vpcIDs[i] = v.ID
		path := fmt.Sprintf("vpcs[%d]", i)
		if !v.CIDR.IsValid() || !v.CIDR.Addr().Is4() {
			return fieldErr(path+".cidr", "%q: want an IPv4 CIDR", v.CIDR)
		}
		if v.CIDR.Bits() < 16 || v.CIDR.Bits() > 28 {
			return fieldErr(path+".cidr", "%s: a VPC's CIDR block must be between /16 and /28", v.CIDR)
		}
		if v.CIDR.Masked() != v.CIDR {
			return fieldErr(path+".cidr", "%s: not a network address (want %s)", v.CIDR, v.CIDR.Masked())
		}
	}
	vpcOf := func(path, id string) (VPC, error) {
		v, ok := t.VPC(id)
		if !ok {
			return VPC{}, fieldErr(path, "%q is not a VPC of this topology (vpcs: %s)", id, orNone(vpcIDs))
		}
		return v, nil
	}
	// Private addresses in use, per VPC: ENIs and instances.
	type vpcAddr struct {
		vpc string
		ip  netip.Addr
	}
	used := map[vpcAddr]string{}
	claim := func(path, vpc string, ip netip.Addr) error {
		if owner, dup := used[vpcAddr{vpc, ip}]; dup {
			return fieldErr(path, "%s is already in use in %s (%s)", ip, vpc, owner)
		}
		used[vpcAddr{vpc, ip}] = path
		return nil
	}
	for i, sub := range s.Subnets {
		path := fmt.Sprintf("subnets[%d]", i)
		v, err := vpcOf(path+".vpc", sub.VPCID)
		if err != nil {
			return err
		}
		switch {
		case !sub.CIDR.IsValid() || !sub.CIDR.Addr().Is4():
			return fieldErr(path+".cidr", "%q: want an IPv4 CIDR", sub.CIDR)
		case !contains(v.CIDR, sub.CIDR):
			return fieldErr(path+".cidr", "%s is not within the VPC's CIDR %s", sub.CIDR, v.CIDR)
		case sub.CIDR.Bits() > 28:
			return fieldErr(path+".cidr", "%s: a subnet's CIDR block must be between /16 and /28", sub.CIDR)
		case sub.CIDR.Masked() != sub.CIDR:
			return fieldErr(path+".cidr", "%s: not a network address (want %s)", sub.CIDR, sub.CIDR.Masked())
		case !validAZ(sub.AZ):
			return fieldErr(path+".az", "%q: want an availability zone such as us-east-1a", sub.AZ)
		}
		for j, o := range s.Subnets[:i] {
			if o.VPCID == sub.VPCID && o.CIDR.Overlaps(sub.CIDR) {
				return fieldErr(path+".cidr", "%s overlaps subnets[%d] (%s, %s)", sub.CIDR, j, o.ID, o.CIDR)
			}
		}
	}
	groupsIn := func(path, vpc string, ids []string) error {
		for j, id := range ids {
			g, ok := t.SecurityGroup(id)
			if !ok {
				return fieldErr(fmt.Sprintf("%s[%d]", path, j), "%q is not a security group of this topology", id)
			}
			if g.VPCID != vpc {
				return fieldErr(fmt.Sprintf("%s[%d]", path, j), "%s belongs to %s, not %s", id, g.VPCID, vpc)
			}
		}
		return nil
	}
	names := map[string]string{}
	for i, g := range s.SecurityGroups {
		path := fmt.Sprintf("security_groups[%d]", i)
		if _, err := vpcOf(path+".vpc", g.VPCID); err != nil {
			return err
		}
		if g.Name == "" {
			return fieldErr(path+".name", "a security group needs a name")
		}
		if other, dup := names[g.VPCID+"/"+g.Name]; dup {
			return fieldErr(path+".name", "%q is already the name of %s in %s", g.Name, other, g.VPCID)
		}
		names[g.VPCID+"/"+g.Name] = g.ID
		for j, r := range g.Ingress {
			if err := t.checkRule(fmt.Sprintf("%s.ingress[%d]", path, j), r); err != nil {
				return err
			}
		}
		for j, r := range g.Egress {
			if err := t.checkRule(fmt.Sprintf("%s.egress[%d]", path, j), r); err != nil {
				return err
			}
		}
	}
	igwOf := map[string]string{}
	for i, g := range s.InternetGateways {
		path := fmt.Sprintf("internet_gateways[%d].vpc", i)
		if g.VPCID == "" {
			continue
		}
		if _, err := vpcOf(path, g.VPCID); err != nil {
			return err
		}
		if other, dup := igwOf[g.VPCID]; dup {
			return fieldErr(path, "%s already has an internet gateway attached (%s)", g.VPCID, other)
		}
		igwOf[g.VPCID] = g.ID
	}
	for i, p := range s.Peerings {
		path := fmt.Sprintf("peerings[%d]", i)
		a, err := vpcOf(path+".requester_vpc", p.RequesterVPC)
		if err != nil {
			return err
		}
		b, err := vpcOf(path+".accepter_vpc", p.AccepterVPC)
		if err != nil {
			return err
		}
		if a.ID == b.ID {
			return fieldErr(path+".accepter_vpc", "a VPC cannot peer with itself")
		}
		if a.CIDR.Overlaps(b.CIDR) {
			return fieldErr(path+".accepter_vpc", "%s (%s) overlaps %s (%s): peered VPCs need disjoint CIDRs", b.ID, b.CIDR, a.ID, a.CIDR)
		}
	}
	mains := map[string]string{}
	assoc := map[string]string{}
	for i, r := range s.RouteTables {
		path := fmt.Sprintf("route_tables[%d]", i)
		if _, err := vpcOf(path+".vpc", r.VPCID); err != nil {
			return err
		}
		if r.Main {
			if other, dup := mains[r.VPCID]; dup {
				return fieldErr(path+".main", "%s already has a main route table (%s)", r.VPCID, other)
			}
			mains[r.VPCID] = r.ID
		}
		for j, id := range r.Subnets {
			sp := fmt.Sprintf("%s.subnets[%d]", path, j)
			sub, ok := t.Subnet(id)
			switch {
			case !ok:
				return fieldErr(sp, "%q is not a subnet of this topology", id)
			case sub.VPCID != r.VPCID:
				return fieldErr(sp, "%s is in %s, not %s", id, sub.VPCID, r.VPCID)
			case assoc[id] != "":
				return fieldErr(sp, "%s is already associated with %s", id, assoc[id])
			}
			assoc[id] = r.ID
		}
		for j, rt := range r.Routes {
			rp := fmt.Sprintf("%s.routes[%d]", path, j)
			if err := t.checkRoute(rp, r, rt); err != nil {
				return err
			}
			for k, o := range r.Routes[:j] {
				if o.Destination == rt.Destination {
					return fieldErr(rp+".destination", "%s is already routed by routes[%d]", rt.Destination, k)
				}
			}
		}
	}
	for i, in := range s.Instances {
		path := fmt.Sprintf("instances[%d]", i)
		sub, ok := t.Subnet(in.SubnetID)
		if !ok {
			return fieldErr(path+".subnet", "%q is not a subnet of this topology", in.SubnetID)
		}
		if err := checkHost(path+".ip", sub, in.PrivateIP); err != nil {
			return err
		}
		if err := claim(path+".ip", sub.VPCID, in.PrivateIP); err != nil {
			return err
		}
		if err := groupsIn(path+".security_groups", sub.VPCID, in.SecurityGroups); err != nil {
			return err
		}
		if in.PublicIP.IsValid() && (!in.PublicIP.Is4() || in.PublicIP.IsPrivate() || in.PublicIP.IsLoopback()) {
			return fieldErr(path+".public_ip", "%s: want a public IPv4 address", in.PublicIP)
		}
	}
	gwVPC := map[string]bool{}
	for i, g := range s.GatewayEndpoints {
		path := fmt.Sprintf("gateway_endpoints[%d]", i)
		if _, err := vpcOf(path+".vpc", g.VPCID); err != nil {
			return err
		}
		if !validRegion(g.Region) {
			return fieldErr(path+".region", "%q: want a region name like us-east-1", g.Region)
		}
		gwVPC[g.VPCID] = true
		for j, id := range g.RouteTables {
			rp := fmt.Sprintf("%s.route_tables[%d]", path, j)
			r, ok := t.RouteTable(id)
			switch {
			case !ok:
				return fieldErr(rp, "%q is not a route table of this topology", id)
			case r.VPCID != g.VPCID:
				return fieldErr(rp, "%s is in %s, not %s", id, r.VPCID, g.VPCID)
			}
			for k, o := range s.GatewayEndpoints[:i] {
				if o.Region == g.Region && slices.Contains(o.RouteTables, id) {
					return fieldErr(rp, "%s already has a route to %s through gateway_endpoints[%d] (%s)", id, S3PrefixListID(g.Region), k, o.ID)
				}
			}
		}
	}
	privateDNS := map[string]string{}
	for i := range s.Endpoints {
		e := &s.Endpoints[i]
		path := fmt.Sprintf("endpoints[%d]", i)
		if err := checkEndpointNames(path, e); err != nil {
			return err
		}
		v, err := vpcOf(path+".vpc", e.VPCID)
		if err != nil {
			return err
		}
		if e.OwnerID != "" && !validAccount(e.OwnerID) {
			return fieldErr(path+".owner", "%q: want a 12-digit account ID", e.OwnerID)
		}
		for j := range e.Zones {
			z := &e.Zones[j]
			zp := fmt.Sprintf("%s.zones[%d]", path, j)
			if z.SubnetID != "" {
				sub, ok := t.Subnet(z.SubnetID)
				switch {
				case !ok:
					return fieldErr(zp+".subnet", "%q is not a subnet of this topology", z.SubnetID)
				case sub.VPCID != e.VPCID:
					return fieldErr(zp+".subnet", "%s is in %s, not the endpoint's VPC %s", z.SubnetID, sub.VPCID, e.VPCID)
				case sub.AZ != z.Name:
					return fieldErr(zp+".subnet", "%s is in %s, not %s", z.SubnetID, sub.AZ, z.Name)
				}
				if err := checkHost(zp+".ip", sub, z.IP); err != nil {
					return err
				}
			} else if !v.CIDR.Contains(z.IP) {
				return fieldErr(zp+".ip", "%s is not within the VPC's CIDR %s", z.IP, v.CIDR)
			}
			if err := claim(zp+".ip", e.VPCID, z.IP); err != nil {
				return err
			}
			if z.ENIID == "" {
				z.ENIID = derivedID(PrefixENI, e.ID, z.Name)
			} else if !ValidResourceID(PrefixENI, z.ENIID) {
				return fieldErr(zp+".eni", "%q: want eni- followed by 17 lower-case hex digits", z.ENIID)
			}
		}
		if err := groupsIn(path+".security_groups", e.VPCID, e.SecurityGroups); err != nil {
			return err
		}
		if e.IPAddressType != "" && e.IPAddressType != "ipv4" {
			return fieldErr(path+".ip_address_type", "%q: only ipv4 is emulated", e.IPAddressType)
		}
		if e.PrivateDNS {
			if !v.EnableDNSSupport || !v.EnableDNSHostnames {
				return fieldErr(path+".private_dns", "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for %s", e.VPCID)
			}
			if other, dup := privateDNS[e.VPCID]; dup {
				return fieldErr(path+".private_dns", "private-dns-enabled cannot be set because there is already a conflicting DNS domain for s3.%s.amazonaws.com in the VPC %s (%s)", e.Region, e.VPCID, other)
			}
			privateDNS[e.VPCID] = e.ID
		}
		if e.PrivateDNSOnlyForInboundResolverEndpoint {
			if !e.PrivateDNS {
				return fieldErr(path+".private_dns_only_for_inbound_resolver_endpoint", "needs \"private_dns\": true")
			}
			if !gwVPC[e.VPCID] {
				// AWS's wording (CreateVpcEndpoint / ModifyVpcEndpoint).
				return fieldErr(path+".private_dns_only_for_inbound_resolver_endpoint",
					"To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC %s must have a gateway endpoint for the service.", e.VPCID)
			}
		}
	}
	return nil
}

// checkEndpointNames checks what makes up an interface endpoint's DNS
// names: suffix, region and zones.
func checkEndpointNames(path string, e *Endpoint) error {
	switch {
	case !validSuffix(e.DNSSuffix):
		return fieldErr(path+".dns_suffix", "%q: want 8 lower-case letters or digits", e.DNSSuffix)
	case !validRegion(e.Region):
		return fieldErr(path+".region", "%q: want a region name like us-east-1", e.Region)
	case len(e.Zones) == 0:
		return fieldErr(path+".zones", "an interface endpoint needs at least one zone (subnet)")
	}
	zones := map[string]int{}
	for j, z := range e.Zones {
		zp := fmt.Sprintf("%s.zones[%d]", path, j)
		if !strings.HasPrefix(z.Name, e.Region) || len(z.Name) <= len(e.Region) || !validLabel(z.Name) {
			return fieldErr(zp+".name", "%q: want an availability zone of %s such as %sa", z.Name, e.Region, e.Region)
		}
		if k, dup := zones[z.Name]; dup {
			return fieldErr(zp+".name", "%q listed twice (also zones[%d])", z.Name, k)
		}
		zones[z.Name] = j
		if !z.IP.Is4() {
			return fieldErr(zp+".ip", "%q: want an IPv4 address", z.IP)
		}
	}
	return nil
}

func (t *Topology) checkRule(path string, r Rule) error {
	switch r.Protocol {
	case ProtocolAll:
		if r.FromPort != -1 || r.ToPort != -1 {
			return fieldErr(path+".from_port", "protocol -1 (all) takes no ports (want -1)")
		}
	case ProtocolTCP, ProtocolUDP:
		if r.FromPort < 0 || r.ToPort > 65535 || r.FromPort > r.ToPort {
			return fieldErr(path+".from_port", "ports %d-%d: want 0 <= from_port <= to_port <= 65535", r.FromPort, r.ToPort)
		}
	case ProtocolICMP:
		if r.FromPort < -1 || r.FromPort > 255 || r.ToPort < -1 || r.ToPort > 255 {
			return fieldErr(path+".from_port", "ICMP type and code %d/%d: want -1 to 255", r.FromPort, r.ToPort)
		}
	default:
		return fieldErr(path+".protocol", "%q: want tcp, udp, icmp or -1 (all)", r.Protocol)
	}
	if len(r.CIDRs) == 0 && len(r.Groups) == 0 {
		return fieldErr(path, "a rule needs at least one CIDR or security group")
	}
	for j, c := range r.CIDRs {
		if !c.IsValid() || !c.Addr().Is4() {
			return fieldErr(fmt.Sprintf("%s.cidrs[%d]", path, j), "%q: want an IPv4 CIDR", c)
		}
	}
	for j, id := range r.Groups {
		if _, ok := t.SecurityGroup(id); !ok {
			return fieldErr(fmt.Sprintf("%s.groups[%d]", path, j), "%q is not a security group of this topology", id)
		}
	}
	return nil
}

func (t *Topology) checkRoute(path string, r RouteTable, rt Route) error {
	if rt.PrefixList != "" {
		return fieldErr(path+".destination", "prefix-list routes come from gateway endpoints (gateway_endpoints[].route_tables), not from a route")
	}
	if !rt.Destination.IsValid() || !rt.Destination.Addr().Is4() {
		return fieldErr(path+".destination", "%q: want an IPv4 CIDR", rt.Destination)
	}
	v, _ := t.VPC(r.VPCID)
	if rt.Destination == v.CIDR {
		return fieldErr(path+".destination", "%s is the VPC's local route, which every table has", rt.Destination)
	}
	switch {
	case ValidResourceID(PrefixIGW, rt.Target):
		g, ok := t.InternetGateway(rt.Target)
		if !ok {
			return fieldErr(path+".target", "%q is not an internet gateway of this topology", rt.Target)
		}
		if g.VPCID != r.VPCID {
			return fieldErr(path+".target", "%s is not attached to %s", rt.Target, r.VPCID)
		}
	case ValidResourceID(PrefixPeering, rt.Target):
		p, ok := t.Peering(rt.Target)
		if !ok {
			return fieldErr(path+".target", "%q is not a peering connection of this topology", rt.Target)
		}
		if _, ok := p.Connects(r.VPCID); !ok {
			return fieldErr(path+".target", "%s does not connect %s", rt.Target, r.VPCID)
		}
	default:
		return fieldErr(path+".target", "%q: want an internet gateway (igw-…) or a peering connection (pcx-…)", rt.Target)
	}
	return nil
}

// checkHost checks that ip is a usable host address of sub: inside its
// CIDR and not one of the five addresses AWS reserves (the network address,
// the next three, and the last).
func checkHost(path string, sub *Subnet, ip netip.Addr) error {
	if !ip.Is4() {
		return fieldErr(path, "%q: want an IPv4 address", ip)
	}
	if !sub.CIDR.Contains(ip) {
		return fieldErr(path, "%s is not within %s (%s)", ip, sub.ID, sub.CIDR)
	}
	base := sub.CIDR.Masked().Addr()
	last := lastAddr(sub.CIDR)
	if ip == last || ip.Less(base.Next().Next().Next().Next()) {
		return fieldErr(path, "%s is reserved by AWS in %s (the first four addresses and the last)", ip, sub.CIDR)
	}
	return nil
}

func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	n |= 1<<(32-p.Bits()) - 1
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// validAZ reports whether s looks like an availability zone: a region and
// a letter ("us-east-1d").
func validAZ(s string) bool {
	if len(s) < 2 {
		return false
	}
	c := s[len(s)-1]
	return 'a' <= c && c <= 'z' && validRegion(s[:len(s)-1])
}

func trimVPCE(s string) string {
	if len(s) > 6 && s[:6] == "vpce: " {
		return s[6:]
	}
	return s
}
