// Package topoimport builds a topology (a vpce.Spec) from what the aws CLI
// prints for a real account, so that a user can reproduce their own VPCs
// offline:
//
//	aws ec2 describe-vpcs            > vpcs.json
//	aws ec2 describe-subnets         > subnets.json
//	aws ec2 describe-security-groups > groups.json
//	aws ec2 describe-route-tables    > routes.json
//	aws ec2 describe-instances       > instances.json
//	aws ec2 describe-vpc-endpoints   > endpoints.json
//	aws ec2 describe-network-interfaces > enis.json   (optional: the endpoints' ENI addresses)
//	aws ec2 describe-internet-gateways  > igws.json   (optional: detached gateways, tags)
//	aws ec2 describe-vpc-attribute --vpc-id vpc-… --attribute enableDnsHostnames > vpc-…-hostnames.json
//	                                                  (optional, one file per VPC and attribute)
//
// Each file is one command's JSON output (--output json, the default),
// recognised by its top-level key (Vpcs, Subnets, SecurityGroups,
// RouteTables, Reservations, VpcEndpoints, NetworkInterfaces; also
// InternetGateways and VpcPeeringConnections); files come in any order,
// and one file may be a JSON object holding several of these keys.
//
// What the outputs do not say is inferred, and what the emulator does not
// model is skipped, each with a Warning that names the resource:
//   - the VPC attributes enableDnsSupport and enableDnsHostnames are not
//     in describe-vpcs output: both are taken as true (AWS's default for a
//     default VPC, and what private DNS needs) unless describe-vpc-attribute
//     output for the VPC says otherwise;
//   - only a VPC's primary IPv4 CIDR is modelled: secondary CIDR blocks,
//     and subnets in them, are skipped; IPv6 ranges and routes too;
//   - internet gateways are those that route tables route to (attached to
//     the route table's VPC), unless describe-internet-gateways output is
//     given;
//   - a peering connection is inferred from the pcx-… routes: its two VPCs
//     are the VPCs whose route tables route to it (the one listed first in
//     describe-vpcs is taken as the requester), or, when only one side's
//     tables are given, the one VPC of the input whose CIDR the route's
//     destination falls in; unless describe-vpc-peering-connections output
//     is given;
//   - routes to NAT gateways, transit gateways, virtual private gateways,
//     network interfaces and the like are skipped; a route to the S3
//     prefix list through a gateway endpoint is not a route of the table
//     in the model but follows from the endpoint's RouteTableIds;
//   - security group rules for IPv6 ranges or prefix lists, and protocols
//     other than tcp, udp, icmp and all, are skipped;
//   - of VPC endpoints only S3's (com.amazonaws.<region>.s3, Interface and
//     Gateway) are imported; an interface endpoint's DNS suffix comes from
//     its DnsEntries and each ENI's address from describe-network-interfaces
//     output; without it the address is the subnet's first free one;
//   - AWS's default full-access endpoint policy is imported as no policy
//     (the model's spelling of the default);
//   - terminated instances are skipped; an instance keeps its primary
//     private address and its public IPv4 address (PublicIpAddress) only.
package topoimport

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// File is one input file: a name for messages and its contents.
type File struct {
	Name string
	Data []byte
}

// Warning is something of the input that the import skipped or inferred.
type Warning struct {
	File string
	// Resource is the ID of the resource concerned ("" for the file).
	Resource string
	Msg      string
}

func (w Warning) String() string {
	if w.Resource == "" {
		return w.File + ": " + w.Msg
	}
	return w.File + ": " + w.Resource + ": " + w.Msg
}

// Import reads the describe-* outputs and returns the Spec they describe,
// with a warning for each thing skipped or inferred. The Spec builds
// (Import checks it with vpce.Build). Malformed JSON, an unknown top-level
// key, a value of the wrong type or a bad ID, CIDR or address is an *Error
// naming the file, line and column.
func Import(files ...File) (vpce.Spec, []Warning, error) {
	im := &importer{
		in:      input{elems: map[string][]*elem{}},
		origins: map[string][]origin{},
		ids:     map[string]map[string]int{},
		skipped: map[string]bool{},
	}
	for i := range files {
		if err := im.in.read(&files[i]); err != nil {
			return vpce.Spec{}, nil, err
		}
	}
	im.warnings = im.in.warnings
	if err := im.run(); err != nil {
		return vpce.Spec{}, nil, err
	}
	if _, err := vpce.Build(im.spec); err != nil {
		return vpce.Spec{}, nil, im.locateBuildError(err)
	}
	return im.spec, im.warnings, nil
}

// origin is where a resource of the Spec came from.
type origin struct {
	e   *elem
	sub string
}

type importer struct {
	in       input
	spec     vpce.Spec
	warnings []Warning
	// origins lists, by the topology file's name of each list of the Spec
	// ("subnets"), where each of its resources came from.
	origins map[string][]origin
	// ids indexes the Spec's resources by kind (an ID prefix) and ID.
	ids map[string]map[string]int

	groups    []pendingGroup
	enis      map[string]awsNetworkInterface
	used      map[string]map[netip.Addr]bool // by subnet
	plRoutes  []plRoute
	igwRoutes []targetRoute
	pcxRoutes []targetRoute
	endpoints []pendingEndpoint
	// skipped are the peerings and endpoints of the input that were
	// skipped, with the warning's reason: their routes go with them.
	skipped map[string]bool
}

type pendingGroup struct {
	e *elem
	g awsSecurityGroup
}

// plRoute is a route table's route to a prefix list through a gateway
// endpoint.
type plRoute struct {
	e        *elem
	sub      string
	rtb, gw  string
	prefixes string
}

// targetRoute is a route to an internet gateway or a peering connection,
// kept until the gateways and peerings are known.
type targetRoute struct {
	e      *elem
	sub    string
	rtb    int // index in spec.RouteTables
	vpc    string
	target string
	dest   netip.Prefix
}

type pendingEndpoint struct {
	e  *elem
	ep awsVPCEndpoint
}

func (im *importer) warn(e *elem, resource, format string, args ...any) {
	im.warnings = append(im.warnings, Warning{File: e.file.Name, Resource: resource, Msg: fmt.Sprintf(format, args...)})
}

// add records a new resource's index and origin; it reports false, with a
// warning, when the ID was already imported.
func (im *importer) add(kind, list, id string, n int, e *elem, sub string) bool {
	m := im.ids[kind]
	if m == nil {
		m = map[string]int{}
		im.ids[kind] = m
	}
	if _, dup := m[id]; dup {
		im.warn(e, id, "listed again (%s); the first is kept", pathOf(e, sub))
		return false
	}
	m[id] = n
	im.origins[list] = append(im.origins[list], origin{e, sub})
	return true
}

func (im *importer) has(kind, id string) bool {
	_, ok := im.ids[kind][id]
	return ok
}

func pathOf(e *elem, sub string) string {
	if sub == "" {
		return e.path
	}
	return joinPath(e.path, sub)
}

func (im *importer) run() error {
	steps := []func() error{
		im.account, im.vpcs, im.vpcAttributes, im.subnets, im.securityGroups, im.networkInterfaces,
		im.instances, im.routeTables, im.internetGateways, im.peerings,
		im.finishRoutes, im.vpcEndpoints, im.finishPrefixListRoutes, im.interfaceEndpoints,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// account is the owner of the most VPCs (of the most resources, when no
// VPC names one); ties go to the first seen.
func (im *importer) account() error {
	type owned struct {
		e *elem
		n int
	}
	count := map[string]*owned{}
	var order []string
	scan := func(key string) {
		for _, e := range im.in.elems[key] {
			var o struct{ OwnerId string }
			if json.Unmarshal(e.raw, &o) != nil || o.OwnerId == "" {
				continue
			}
			if count[o.OwnerId] == nil {
				count[o.OwnerId] = &owned{e: e}
				order = append(order, o.OwnerId)
			}
			count[o.OwnerId].n++
		}
	}
	scan(keyVPCs)
	if len(order) == 0 {
		for _, k := range []string{keySubnets, keySecurityGroups, keyRouteTables, keyReservations, keyVPCEndpoints} {
			scan(k)
		}
	}
	if len(order) == 0 {
		im.spec.Account = vpce.DefaultAccount
		return nil
	}
	best := order[0]
	for _, a := range order[1:] {
		if count[a].n > count[best].n {
			best = a
		}
	}
	im.spec.Account = best
	im.origins["account"] = []origin{{count[best].e, "OwnerId"}}
	for _, a := range order {
		if a != best {
			im.warn(count[a].e, "", "resources of account %s are imported as if %s owned them (the emulator has one account)", a, best)
		}
	}
	return nil
}

func (im *importer) vpcs() error {
	for _, e := range im.in.elems[keyVPCs] {
		var v awsVPC
		if err := e.decode(&v); err != nil {
			return err
		}
		if err := checkID(e, "VpcId", vpce.PrefixVPC, v.VpcId); err != nil {
			return err
		}
		cidr, err := parseCIDR(e, "CidrBlock", v.CidrBlock)
		if err != nil {
			return err
		}
		if !im.add(vpce.PrefixVPC, "vpcs", v.VpcId, len(im.spec.VPCs), e, "") {
			continue
		}
		for _, a := range v.CidrBlockAssociationSet {
			if a.CidrBlock != v.CidrBlock && a.CidrBlockState.State == "associated" {
				im.warn(e, v.VpcId, "secondary CIDR block %s skipped: only the primary CIDR is modelled", a.CidrBlock)
			}
		}
		if len(v.Ipv6CidrBlockAssociationSet) > 0 {
			im.warn(e, v.VpcId, "IPv6 CIDR blocks skipped: IPv6 is not emulated")
		}
		im.spec.VPCs = append(im.spec.VPCs, vpce.VPC{ID: v.VpcId, CIDR: cidr, IsDefault: v.IsDefault,
			EnableDNSSupport: true, EnableDNSHostnames: true, Tags: tags(v.Tags)})
	}
	if len(im.spec.VPCs) == 0 {
		return &Error{Msg: "no VPCs: give the output of aws ec2 describe-vpcs (a top-level Vpcs array)"}
	}
	return nil
}

// vpcAttributes applies the outputs of aws ec2 describe-vpc-attribute
// (enableDnsSupport, enableDnsHostnames), which describe-vpcs does not
// show, to their VPCs.
func (im *importer) vpcAttributes() error {
	for _, e := range im.in.elems[keyVPCAttribute] {
		var a awsVPCAttribute
		if err := e.decode(&a); err != nil {
			return err
		}
		if err := checkID(e, "VpcId", vpce.PrefixVPC, a.VpcId); err != nil {
			return err
		}
		i, ok := im.ids[vpce.PrefixVPC][a.VpcId]
		if !ok {
			im.warn(e, a.VpcId, "attributes skipped: the VPC is not in the input")
			continue
		}
		v := &im.spec.VPCs[i]
		if a.EnableDnsSupport != nil {
			v.EnableDNSSupport = a.EnableDnsSupport.Value
		}
		if a.EnableDnsHostnames != nil {
			v.EnableDNSHostnames = a.EnableDnsHostnames.Value
		}
	}
	return nil
}

func (im *importer) vpc(id string) (vpce.VPC, bool) {
	i, ok := im.ids[vpce.PrefixVPC][id]
	if !ok {
		return vpce.VPC{}, false
	}
	return im.spec.VPCs[i], true
}

func (im *importer) subnets() error {
	im.used = map[string]map[netip.Addr]bool{}
	for _, e := range im.in.elems[keySubnets] {
		var s awsSubnet
		if err := e.decode(&s); err != nil {
			return err
		}
		if err := checkID(e, "SubnetId", vpce.PrefixSubnet, s.SubnetId); err != nil {
			return err
		}
		cidr, err := parseCIDR(e, "CidrBlock", s.CidrBlock)
		if err != nil {
			return err
		}
		v, ok := im.vpc(s.VpcId)
		switch {
		case !ok:
			im.warn(e, s.SubnetId, "skipped: its VPC %s is not in the input (add describe-vpcs output)", s.VpcId)
			continue
		case !v.CIDR.Contains(cidr.Addr()):
			im.warn(e, s.SubnetId, "skipped: %s is outside %s's primary CIDR %s (secondary CIDR blocks are not modelled)", cidr, v.ID, v.CIDR)
			continue
		}
		if !im.add(vpce.PrefixSubnet, "subnets", s.SubnetId, len(im.spec.Subnets), e, "") {
			continue
		}
		if len(s.Ipv6CidrBlockAssociationSet) > 0 {
			im.warn(e, s.SubnetId, "IPv6 CIDR blocks skipped: IPv6 is not emulated")
		}
		im.spec.Subnets = append(im.spec.Subnets, vpce.Subnet{ID: s.SubnetId, VPCID: s.VpcId, CIDR: cidr,
			AZ: s.AvailabilityZone, Tags: tags(s.Tags)})
		im.used[s.SubnetId] = map[netip.Addr]bool{}
	}
	return nil
}

func (im *importer) subnet(id string) (vpce.Subnet, bool) {
	i, ok := im.ids[vpce.PrefixSubnet][id]
	if !ok {
		return vpce.Subnet{}, false
	}
	return im.spec.Subnets[i], true
}

// securityGroups imports the groups, then their rules (which name groups).
func (im *importer) securityGroups() error {
	for _, e := range im.in.elems[keySecurityGroups] {
		var g awsSecurityGroup
		if err := e.decode(&g); err != nil {
			return err
		}
		if err := checkID(e, "GroupId", vpce.PrefixGroup, g.GroupId); err != nil {
			return err
		}
		if _, ok := im.vpc(g.VpcId); !ok {
			im.warn(e, g.GroupId, "skipped: its VPC %q is not in the input", g.VpcId)
			continue
		}
		if !im.add(vpce.PrefixGroup, "security_groups", g.GroupId, len(im.spec.SecurityGroups), e, "") {
			continue
		}
		im.spec.SecurityGroups = append(im.spec.SecurityGroups, vpce.SecurityGroup{ID: g.GroupId, Name: g.GroupName,
			Description: g.Description, VPCID: g.VpcId, Tags: tags(g.Tags)})
		im.groups = append(im.groups, pendingGroup{e, g})
	}
	for i, p := range im.groups {
		sg := &im.spec.SecurityGroups[i]
		var err error
		if sg.Ingress, err = im.rules(p.e, sg.ID, "IpPermissions", p.g.IpPermissions); err != nil {
			return err
		}
		if sg.Egress, err = im.rules(p.e, sg.ID, "IpPermissionsEgress", p.g.IpPermissionsEgress); err != nil {
			return err
		}
	}
	return nil
}

// rules converts one list of IpPermissions. A permission whose ranges and
// groups carry different descriptions becomes one rule per description
// (the model keeps one description a rule).
func (im *importer) rules(e *elem, sg, list string, perms []ipPermission) ([]vpce.Rule, error) {
	var out []vpce.Rule
	for j, p := range perms {
		sub := fmt.Sprintf("%s[%d]", list, j)
		r := vpce.Rule{FromPort: -1, ToPort: -1}
		switch strings.ToLower(p.IpProtocol) {
		case "-1", "all":
			r.Protocol = vpce.ProtocolAll
		case "tcp", "6":
			r.Protocol = vpce.ProtocolTCP
		case "udp", "17":
			r.Protocol = vpce.ProtocolUDP
		case "icmp", "1":
			r.Protocol = vpce.ProtocolICMP
		default:
			im.warn(e, sg, "%s skipped: protocol %q is not emulated (only tcp, udp, icmp and -1)", sub, p.IpProtocol)
			continue
		}
		if r.Protocol != vpce.ProtocolAll {
			if p.FromPort != nil {
				r.FromPort = *p.FromPort
			}
			if p.ToPort != nil {
				r.ToPort = *p.ToPort
			}
			if (r.Protocol == vpce.ProtocolTCP || r.Protocol == vpce.ProtocolUDP) && (p.FromPort == nil || p.ToPort == nil) {
				return nil, e.errAt(sub, "a %s permission needs FromPort and ToPort", r.Protocol)
			}
		}
		var descs []string
		byDesc := map[string]*vpce.Rule{}
		bucket := func(d string) *vpce.Rule {
			if b, ok := byDesc[d]; ok {
				return b
			}
			b := r
			b.Description = d
			byDesc[d] = &b
			descs = append(descs, d)
			return &b
		}
		for k, c := range p.IpRanges {
			cidr, err := parseCIDR(e, fmt.Sprintf("%s.IpRanges[%d].CidrIp", sub, k), c.CidrIp)
			if err != nil {
				return nil, err
			}
			b := bucket(c.Description)
			b.CIDRs = append(b.CIDRs, cidr)
		}
		for _, g := range p.UserIdGroupPairs {
			if !im.has(vpce.PrefixGroup, g.GroupId) {
				im.warn(e, sg, "%s: source group %s skipped: it is not in the input (another account's or VPC's group, or describe-security-groups output missing)", sub, g.GroupId)
				continue
			}
			b := bucket(g.Description)
			b.Groups = append(b.Groups, g.GroupId)
		}
		if len(p.Ipv6Ranges) > 0 {
			im.warn(e, sg, "%s: IPv6 ranges skipped: IPv6 is not emulated", sub)
		}
		if len(p.PrefixListIds) > 0 {
			ids := make([]string, len(p.PrefixListIds))
			for k, pl := range p.PrefixListIds {
				ids[k] = pl.PrefixListId
			}
			im.warn(e, sg, "%s: prefix lists %s skipped: security group rules with prefix lists are not emulated", sub, strings.Join(ids, ", "))
		}
		if len(descs) == 0 {
			im.warn(e, sg, "%s skipped: no IPv4 range or security group of the input is left in it", sub)
			continue
		}
		for _, d := range descs {
			out = append(out, *byDesc[d])
		}
	}
	return out, nil
}

func (im *importer) networkInterfaces() error {
	im.enis = map[string]awsNetworkInterface{}
	for _, e := range im.in.elems[keyNetworkInterfaces] {
		var n awsNetworkInterface
		if err := e.decode(&n); err != nil {
			return err
		}
		ip, err := parseAddr(e, "PrivateIpAddress", n.PrivateIpAddress)
		if err != nil {
			return err
		}
		if _, dup := im.enis[n.NetworkInterfaceId]; dup {
			continue
		}
		im.enis[n.NetworkInterfaceId] = n
		if used := im.used[n.SubnetId]; used != nil {
			used[ip] = true
		}
	}
	return nil
}

func (im *importer) instances() error {
	for _, e := range im.in.elems[keyReservations] {
		var r awsReservation
		if err := e.decode(&r); err != nil {
			return err
		}
		for j, in := range r.Instances {
			sub := fmt.Sprintf("Instances[%d]", j)
			if err := checkID(e, sub+".InstanceId", vpce.PrefixInstance, in.InstanceId); err != nil {
				return err
			}
			if in.State.Name == "terminated" {
				im.warn(e, in.InstanceId, "skipped: terminated")
				continue
			}
			if in.SubnetId == "" {
				im.warn(e, in.InstanceId, "skipped: in no subnet")
				continue
			}
			s, ok := im.subnet(in.SubnetId)
			if !ok {
				im.warn(e, in.InstanceId, "skipped: its subnet %s is not in the input", in.SubnetId)
				continue
			}
			ip, err := parseAddr(e, sub+".PrivateIpAddress", in.PrivateIpAddress)
			if err != nil {
				return err
			}
			if !im.add(vpce.PrefixInstance, "instances", in.InstanceId, len(im.spec.Instances), e, sub) {
				continue
			}
			inst := vpce.Instance{ID: in.InstanceId, SubnetID: in.SubnetId, PrivateIP: ip, Tags: tags(in.Tags)}
			if in.PublicIpAddress != "" {
				if inst.PublicIP, err = parseAddr(e, sub+".PublicIpAddress", in.PublicIpAddress); err != nil {
					return err
				}
			}
			for _, g := range in.SecurityGroups {
				if im.groupIn(g.GroupId, s.VPCID) {
					inst.SecurityGroups = append(inst.SecurityGroups, g.GroupId)
				} else {
					im.warn(e, in.InstanceId, "security group %s skipped: it is not in the input", g.GroupId)
				}
			}
			if len(in.NetworkInterfaces) > 1 {
				im.warn(e, in.InstanceId, "only the primary network interface and address are modelled (%d interfaces)", len(in.NetworkInterfaces))
			}
			im.used[in.SubnetId][ip] = true
			im.spec.Instances = append(im.spec.Instances, inst)
		}
	}
	return nil
}

// groupIn reports whether the security group is imported and in vpc.
func (im *importer) groupIn(id, vpc string) bool {
	i, ok := im.ids[vpce.PrefixGroup][id]
	return ok && im.spec.SecurityGroups[i].VPCID == vpc
}

func (im *importer) routeTables() error {
	for _, e := range im.in.elems[keyRouteTables] {
		var r awsRouteTable
		if err := e.decode(&r); err != nil {
			return err
		}
		if err := checkID(e, "RouteTableId", vpce.PrefixRTB, r.RouteTableId); err != nil {
			return err
		}
		if _, ok := im.vpc(r.VpcId); !ok {
			im.warn(e, r.RouteTableId, "skipped: its VPC %q is not in the input", r.VpcId)
			continue
		}
		idx := len(im.spec.RouteTables)
		if !im.add(vpce.PrefixRTB, "route_tables", r.RouteTableId, idx, e, "") {
			continue
		}
		rt := vpce.RouteTable{ID: r.RouteTableId, VPCID: r.VpcId, Tags: tags(r.Tags)}
		for j, a := range r.Associations {
			if a.AssociationState != nil && a.AssociationState.State != "associated" {
				continue
			}
			switch {
			case a.Main:
				rt.Main = true
			case a.SubnetId != "":
				if s, ok := im.subnet(a.SubnetId); ok && s.VPCID == r.VpcId {
					rt.Subnets = append(rt.Subnets, a.SubnetId)
				} else {
					im.warn(e, r.RouteTableId, "Associations[%d]: subnet %s skipped: it is not in the input", j, a.SubnetId)
				}
			case a.GatewayId != "":
				im.warn(e, r.RouteTableId, "Associations[%d]: edge association with %s skipped: gateway route tables are not emulated", j, a.GatewayId)
			}
		}
		im.spec.RouteTables = append(im.spec.RouteTables, rt)
		for j, rr := range r.Routes {
			if err := im.route(e, idx, r, j, rr); err != nil {
				return err
			}
		}
	}
	return nil
}

// route sorts one route of a table: the local route is implicit, a prefix
// list route through a gateway endpoint follows from the endpoint, routes
// to internet gateways and peerings wait until those are known, the rest
// is skipped.
func (im *importer) route(e *elem, idx int, r awsRouteTable, j int, rr awsRoute) error {
	sub := fmt.Sprintf("Routes[%d]", j)
	id := r.RouteTableId
	target := firstOf(rr.GatewayId, rr.VpcPeeringConnectionId, rr.NatGatewayId, rr.TransitGatewayId,
		rr.NetworkInterfaceId, rr.InstanceId, rr.EgressOnlyInternetGatewayId, rr.LocalGatewayId,
		rr.CarrierGatewayId, rr.CoreNetworkArn)
	dest := firstOf(rr.DestinationCidrBlock, rr.DestinationIpv6CidrBlock, rr.DestinationPrefixListId)
	switch {
	case rr.GatewayId == "local":
		return nil
	case rr.Origin == "EnableVgwRoutePropagation":
		im.warn(e, id, "%s to %s skipped: routes propagated from a virtual private gateway are not emulated", sub, dest)
		return nil
	case rr.DestinationIpv6CidrBlock != "":
		im.warn(e, id, "%s to %s skipped: IPv6 is not emulated", sub, dest)
		return nil
	case rr.DestinationPrefixListId != "":
		if strings.HasPrefix(rr.GatewayId, "vpce-") {
			im.plRoutes = append(im.plRoutes, plRoute{e: e, sub: sub, rtb: id, gw: rr.GatewayId, prefixes: rr.DestinationPrefixListId})
			return nil
		}
		im.warn(e, id, "%s to prefix list %s via %s skipped: only a gateway endpoint's route to a prefix list is emulated", sub, rr.DestinationPrefixListId, target)
		return nil
	}
	cidr, err := parseCIDR(e, sub+".DestinationCidrBlock", rr.DestinationCidrBlock)
	if err != nil {
		return err
	}
	tr := targetRoute{e: e, sub: sub, rtb: idx, vpc: r.VpcId, dest: cidr}
	switch {
	case rr.State == "blackhole":
		im.warn(e, id, "%s to %s via %s skipped: blackhole (its target is gone)", sub, dest, target)
	case strings.HasPrefix(rr.GatewayId, "igw-"):
		tr.target = rr.GatewayId
		im.igwRoutes = append(im.igwRoutes, tr)
	case rr.VpcPeeringConnectionId != "":
		tr.target = rr.VpcPeeringConnectionId
		im.pcxRoutes = append(im.pcxRoutes, tr)
	default:
		im.warn(e, id, "%s to %s via %s skipped: %s", sub, dest, target, notEmulated(rr))
	}
	return nil
}

func notEmulated(rr awsRoute) string {
	switch {
	case rr.NatGatewayId != "":
		return "NAT gateways are not emulated"
	case rr.TransitGatewayId != "":
		return "transit gateways are not emulated"
	case strings.HasPrefix(rr.GatewayId, "vgw-"):
		return "virtual private gateways are not emulated"
	case strings.HasPrefix(rr.GatewayId, "vpce-"):
		return "routes to Gateway Load Balancer endpoints are not emulated"
	case rr.NetworkInterfaceId != "", rr.InstanceId != "":
		return "routes to network interfaces and instances are not emulated"
	}
	return "only routes to internet gateways and peering connections are emulated"
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return "?"
}

// internetGateways imports describe-internet-gateways output, when given.
func (im *importer) internetGateways() error {
	for _, e := range im.in.elems[keyInternetGateways] {
		var g awsInternetGateway
		if err := e.decode(&g); err != nil {
			return err
		}
		if err := checkID(e, "InternetGatewayId", vpce.PrefixIGW, g.InternetGatewayId); err != nil {
			return err
		}
		igw := vpce.InternetGateway{ID: g.InternetGatewayId, Tags: tags(g.Tags)}
		for _, a := range g.Attachments {
			if a.State != "available" && a.State != "attached" {
				continue
			}
			if _, ok := im.vpc(a.VpcId); ok {
				igw.VPCID = a.VpcId
			} else {
				im.warn(e, igw.ID, "imported detached: the VPC it is attached to, %s, is not in the input", a.VpcId)
			}
		}
		if im.add(vpce.PrefixIGW, "internet_gateways", igw.ID, len(im.spec.InternetGateways), e, "") {
			im.spec.InternetGateways = append(im.spec.InternetGateways, igw)
		}
	}
	// The gateways the routes name, attached to the routes' VPCs.
	for _, r := range im.igwRoutes {
		if im.has(vpce.PrefixIGW, r.target) {
			continue
		}
		if err := checkID(r.e, r.sub+".GatewayId", vpce.PrefixIGW, r.target); err != nil {
			return err
		}
		im.add(vpce.PrefixIGW, "internet_gateways", r.target, len(im.spec.InternetGateways), r.e, r.sub)
		im.spec.InternetGateways = append(im.spec.InternetGateways, vpce.InternetGateway{ID: r.target, VPCID: r.vpc})
	}
	return nil
}

// peerings imports describe-vpc-peering-connections output, when given,
// then infers the peerings that the routes name.
func (im *importer) peerings() error {
	for _, e := range im.in.elems[keyPeerings] {
		var p awsPeering
		if err := e.decode(&p); err != nil {
			return err
		}
		if err := checkID(e, "VpcPeeringConnectionId", vpce.PrefixPeering, p.VpcPeeringConnectionId); err != nil {
			return err
		}
		id, a, b := p.VpcPeeringConnectionId, p.RequesterVpcInfo.VpcId, p.AccepterVpcInfo.VpcId
		_, okA := im.vpc(a)
		_, okB := im.vpc(b)
		switch {
		case p.Status.Code != "active":
			im.warn(e, id, "skipped, with its routes: %s, not active", p.Status.Code)
			im.skipped[id] = true
		case !okA || !okB:
			im.warn(e, id, "skipped, with its routes: it joins %s and %s, and only VPCs of the input are modelled", a, b)
			im.skipped[id] = true
		default:
			if im.add(vpce.PrefixPeering, "peerings", id, len(im.spec.Peerings), e, "") {
				im.spec.Peerings = append(im.spec.Peerings, vpce.Peering{ID: id, RequesterVPC: a, AccepterVPC: b, Tags: tags(p.Tags)})
			}
		}
	}
	// Routes to peerings not given: each side is a VPC that routes to it.
	sides := map[string][]string{}
	var order []string
	first := map[string]targetRoute{}
	for _, r := range im.pcxRoutes {
		if im.has(vpce.PrefixPeering, r.target) || im.skipped[r.target] {
			continue
		}
		if _, seen := sides[r.target]; !seen {
			order = append(order, r.target)
			first[r.target] = r
		}
		if !slices.Contains(sides[r.target], r.vpc) {
			sides[r.target] = append(sides[r.target], r.vpc)
		}
	}
	for _, id := range order {
		r := first[id]
		if err := checkID(r.e, r.sub+".VpcPeeringConnectionId", vpce.PrefixPeering, id); err != nil {
			return err
		}
		vpcs := sides[id]
		switch len(vpcs) {
		case 1:
			peer := ""
			for _, v := range im.spec.VPCs {
				if v.ID != vpcs[0] && v.CIDR.Overlaps(r.dest) {
					if peer != "" {
						peer = ""
						break
					}
					peer = v.ID
				}
			}
			if peer == "" {
				im.warn(r.e, id, "skipped, with its routes: only %s's route tables route to it, and no one other VPC of the input holds the destination %s", vpcs[0], r.dest)
				continue
			}
			im.warn(r.e, id, "its other side, %s, is inferred from the destination %s: only %s's route tables route to it", peer, r.dest, vpcs[0])
			vpcs = append(vpcs, peer)
		case 2:
		default:
			im.warn(r.e, id, "skipped, with its routes: route tables of %d VPCs (%s) route to it", len(vpcs), strings.Join(vpcs, ", "))
			continue
		}
		a, b := vpcs[0], vpcs[1]
		if im.ids[vpce.PrefixVPC][b] < im.ids[vpce.PrefixVPC][a] {
			a, b = b, a
		}
		im.add(vpce.PrefixPeering, "peerings", id, len(im.spec.Peerings), r.e, r.sub)
		im.spec.Peerings = append(im.spec.Peerings, vpce.Peering{ID: id, RequesterVPC: a, AccepterVPC: b})
	}
	return nil
}

// finishRoutes adds the routes to internet gateways and peerings that
// are modelled, in each table's order.
func (im *importer) finishRoutes() error {
	all := append(slices.Clone(im.igwRoutes), im.pcxRoutes...)
	slices.SortStableFunc(all, func(a, b targetRoute) int {
		if a.rtb != b.rtb {
			return a.rtb - b.rtb
		}
		return routeIndex(a.sub) - routeIndex(b.sub)
	})
	for _, r := range all {
		rt := &im.spec.RouteTables[r.rtb]
		switch {
		case strings.HasPrefix(r.target, "igw-"):
			g := im.spec.InternetGateways[im.ids[vpce.PrefixIGW][r.target]]
			if g.VPCID != r.vpc {
				im.warn(r.e, rt.ID, "%s to %s via %s skipped: the gateway is not attached to %s", r.sub, r.dest, r.target, r.vpc)
				continue
			}
		default:
			i, ok := im.ids[vpce.PrefixPeering][r.target]
			if !ok {
				continue // warned for the peering
			}
			if _, ok := im.spec.Peerings[i].Connects(r.vpc); !ok {
				im.warn(r.e, rt.ID, "%s to %s via %s skipped: the peering does not connect %s", r.sub, r.dest, r.target, r.vpc)
				continue
			}
		}
		rt.Routes = append(rt.Routes, vpce.Route{Destination: r.dest, Target: r.target})
	}
	return nil
}

func routeIndex(sub string) int {
	n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(sub, "Routes["), "]"))
	return n
}

var s3Service = regexp.MustCompile(`^com\.amazonaws\.([a-z0-9-]+)\.s3$`)

// vpcEndpoints imports the S3 gateway endpoints and keeps the interface
// endpoints for last (their ENI addresses may have to be allocated).
func (im *importer) vpcEndpoints() error {
	for _, e := range im.in.elems[keyVPCEndpoints] {
		var ep awsVPCEndpoint
		if err := e.decode(&ep); err != nil {
			return err
		}
		id := ep.VpcEndpointId
		if err := checkID(e, "VpcEndpointId", vpce.PrefixEndpoint, id); err != nil {
			return err
		}
		m := s3Service.FindStringSubmatch(ep.ServiceName)
		skip := ""
		switch state := lowerFirst(ep.State); {
		case m == nil:
			skip = fmt.Sprintf("service %s is not emulated (only S3, com.amazonaws.<region>.s3)", ep.ServiceName)
		case ep.VpcEndpointType != "Interface" && ep.VpcEndpointType != "Gateway":
			skip = fmt.Sprintf("%s endpoints are not emulated", ep.VpcEndpointType)
		case state == "deleting" || state == "deleted" || state == "rejected" || state == "failed" || state == "expired":
			skip = state
		default:
			if _, ok := im.vpc(ep.VpcId); !ok {
				skip = fmt.Sprintf("its VPC %q is not in the input", ep.VpcId)
			}
		}
		if skip != "" {
			im.warn(e, id, "skipped: %s", skip)
			im.skipped[id] = true
			continue
		}
		if ep.VpcEndpointType == "Interface" {
			im.endpoints = append(im.endpoints, pendingEndpoint{e, ep})
			continue
		}
		created, err := parseTime(e, ep.CreationTimestamp)
		if err != nil {
			return err
		}
		g := vpce.GatewayEndpoint{ID: id, VPCID: ep.VpcId, Region: m[1], Policy: policyOf(ep.PolicyDocument),
			Tags: tags(ep.Tags), Created: created, State: lowerFirst(ep.State)}
		for _, rtb := range ep.RouteTableIds {
			if i, ok := im.ids[vpce.PrefixRTB][rtb]; ok && im.spec.RouteTables[i].VPCID == ep.VpcId {
				g.RouteTables = append(g.RouteTables, rtb)
			} else {
				im.warn(e, id, "route table %s skipped: it is not in the input", rtb)
			}
		}
		if im.add(vpce.PrefixEndpoint, "gateway_endpoints", id, len(im.spec.GatewayEndpoints), e, "") {
			im.spec.GatewayEndpoints = append(im.spec.GatewayEndpoints, g)
		}
	}
	return nil
}

// finishPrefixListRoutes checks the tables' prefix list routes against the
// gateway endpoints, whose RouteTableIds make those routes in the model.
func (im *importer) finishPrefixListRoutes() error {
	for _, r := range im.plRoutes {
		i, ok := im.ids[vpce.PrefixEndpoint][r.gw]
		switch {
		case im.skipped[r.gw]:
			im.warn(r.e, r.rtb, "%s to %s via %s skipped with that endpoint", r.sub, r.prefixes, r.gw)
		case !ok:
			im.warn(r.e, r.rtb, "%s to %s via %s skipped: that gateway endpoint is not in the input (add describe-vpc-endpoints output)", r.sub, r.prefixes, r.gw)
		case !slices.Contains(im.spec.GatewayEndpoints[i].RouteTables, r.rtb):
			im.warn(r.e, r.rtb, "%s to %s via %s skipped: the endpoint's RouteTableIds do not list %s", r.sub, r.prefixes, r.gw, r.rtb)
		}
	}
	return nil
}

// interfaceEndpoints imports the S3 interface endpoints: a zone for each
// subnet, with its ENI's address from describe-network-interfaces or, when
// that is not given, the subnet's first free address.
func (im *importer) interfaceEndpoints() error {
	for _, p := range im.endpoints {
		e, ep := p.e, p.ep
		id := ep.VpcEndpointId
		region := s3Service.FindStringSubmatch(ep.ServiceName)[1]
		created, err := parseTime(e, ep.CreationTimestamp)
		if err != nil {
			return err
		}
		out := vpce.Endpoint{ID: id, Region: region, VPCID: ep.VpcId, PrivateDNS: ep.PrivateDnsEnabled,
			Policy: policyOf(ep.PolicyDocument), IPAddressType: ep.IpAddressType, Tags: tags(ep.Tags),
			Created: created, State: lowerFirst(ep.State)}
		if ep.OwnerId != "" && ep.OwnerId != im.spec.Account {
			out.OwnerID = ep.OwnerId
		}
		if ep.DnsOptions != nil {
			out.PrivateDNSOnlyForInboundResolverEndpoint = ep.DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint
			if t := ep.DnsOptions.DnsRecordIpType; t != "" && t != "ipv4" && t != "service-defined" {
				im.warn(e, id, "DnsRecordIpType %s imported as ipv4: IPv6 is not emulated", t)
			}
		}
		if out.IPAddressType != "" && out.IPAddressType != "ipv4" {
			im.warn(e, id, "IpAddressType %s imported as ipv4: IPv6 is not emulated", out.IPAddressType)
			out.IPAddressType = "ipv4"
		}
		for j, d := range ep.DnsEntries {
			h, err := vpce.ParseHost(strings.TrimPrefix(d.DnsName, "*."))
			if err == nil && h.EndpointID == id && h.DNSSuffix != "" {
				if h.Region != region {
					return e.errAt(fmt.Sprintf("DnsEntries[%d].DnsName", j), "%s is in %s, but the service %s is in %s", d.DnsName, h.Region, ep.ServiceName, region)
				}
				out.DNSSuffix = h.DNSSuffix
				break
			}
		}
		if out.DNSSuffix == "" {
			out.DNSSuffix = derivedSuffix(id)
			im.warn(e, id, "no DnsEntries name vpce-…-<suffix>.s3.%s.vpce.amazonaws.com: DNS suffix %s made up", region, out.DNSSuffix)
		}
		for _, g := range ep.Groups {
			if im.groupIn(g.GroupId, ep.VpcId) {
				out.SecurityGroups = append(out.SecurityGroups, g.GroupId)
			} else {
				im.warn(e, id, "security group %s skipped: it is not in the input", g.GroupId)
			}
		}
		for j, sn := range ep.SubnetIds {
			s, ok := im.subnet(sn)
			if !ok || s.VPCID != ep.VpcId {
				im.warn(e, id, "subnet %s skipped: it is not in the input (and with it the endpoint's zone there)", sn)
				continue
			}
			z := vpce.Zone{Name: s.AZ, SubnetID: sn}
			// The ENI of this subnet: by describe-network-interfaces, else
			// the one at the same position (the API lists both in the
			// order the subnets were added).
			for _, eni := range ep.NetworkInterfaceIds {
				if n, ok := im.enis[eni]; ok && n.SubnetId == sn {
					z.ENIID = eni
					z.IP = netip.MustParseAddr(n.PrivateIpAddress) // checked when read
				}
			}
			if z.ENIID == "" && len(ep.NetworkInterfaceIds) == len(ep.SubnetIds) {
				if _, elsewhere := im.enis[ep.NetworkInterfaceIds[j]]; !elsewhere {
					z.ENIID = ep.NetworkInterfaceIds[j]
				}
			}
			if !z.IP.IsValid() {
				z.IP = im.allocate(s)
				eni := z.ENIID
				if eni == "" {
					eni = "its ENI"
				}
				im.warn(e, id, "%s's address in %s is not in the input (add describe-network-interfaces output): %s allocated", eni, sn, z.IP)
			}
			if z.ENIID != "" && !vpce.ValidResourceID(vpce.PrefixENI, z.ENIID) {
				return e.errAt(fmt.Sprintf("NetworkInterfaceIds[%d]", j), "%q: want eni- followed by 8 or 17 lower-case hex digits", z.ENIID)
			}
			out.Zones = append(out.Zones, z)
		}
		if len(out.Zones) == 0 {
			im.warn(e, id, "skipped: none of its subnets is in the input")
			continue
		}
		if im.add(vpce.PrefixEndpoint, "endpoints", id, len(im.spec.Endpoints), e, "") {
			im.spec.Endpoints = append(im.spec.Endpoints, out)
		}
	}
	return nil
}

// allocate returns the subnet's first address that AWS does not reserve
// (the first four and the last) and nothing of the input uses.
func (im *importer) allocate(s vpce.Subnet) netip.Addr {
	used := im.used[s.ID]
	base := s.CIDR.Masked().Addr()
	ip := base.Next().Next().Next().Next()
	for s.CIDR.Contains(ip.Next()) {
		if !used[ip] {
			used[ip] = true
			return ip
		}
		ip = ip.Next()
	}
	return netip.Addr{} // full: Build reports it
}

// locateBuildError turns an error of vpce.Build into one located at the
// input element the resource at fault came from.
func (im *importer) locateBuildError(err error) error {
	var fe *vpce.FieldError
	if !errors.As(err, &fe) {
		return &Error{Msg: err.Error()}
	}
	list, rest, _ := strings.Cut(fe.Path, ".")
	idx := 0
	if name, n, ok := strings.Cut(list, "["); ok {
		list = name
		idx, _ = strconv.Atoi(strings.TrimSuffix(n, "]"))
	}
	if origs := im.origins[list]; idx < len(origs) {
		o := origs[idx]
		msg := fe.Msg
		if rest != "" {
			msg = rest + ": " + msg
		}
		return o.e.errAt(o.sub, "%s", msg)
	}
	return &Error{Msg: err.Error()}
}

func checkID(e *elem, sub, prefix, id string) error {
	if !vpce.ValidResourceID(prefix, id) {
		return e.errAt(sub, "%q: want %s- followed by 8 or 17 lower-case hex digits", id, prefix)
	}
	return nil
}

func parseCIDR(e *elem, sub, s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, e.errAt(sub, "%q: want an IPv4 CIDR", s)
	}
	if !p.Addr().Is4() {
		return p, e.errAt(sub, "%q: want an IPv4 CIDR", s)
	}
	return p, nil
}

func parseAddr(e *elem, sub, s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return a, e.errAt(sub, "%q: want an IPv4 address", s)
	}
	return a, nil
}

func parseTime(e *elem, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, e.errAt("CreationTimestamp", "%q: want a time such as 2021-03-04T08:12:31.000Z", s)
	}
	return t.UTC(), nil
}

func tags(ts []tag) []vpce.Tag {
	if len(ts) == 0 {
		return nil
	}
	out := make([]vpce.Tag, len(ts))
	for i, t := range ts {
		out[i] = vpce.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// lowerFirst turns the API reference's "Available" into the CLI's
// "available" (and "PendingAcceptance" into "pendingAcceptance").
func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// policyOf is the endpoint policy to keep: none for AWS's default
// full-access policy (in any of its spellings), else the document.
func policyOf(doc string) string {
	var got any
	if json.Unmarshal([]byte(doc), &got) != nil {
		return doc
	}
	m, ok := got.(map[string]any)
	if !ok {
		return doc
	}
	st := m["Statement"]
	if l, ok := st.([]any); ok && len(l) == 1 {
		st = l[0]
	}
	full := map[string]any{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
	v, hasVersion := m["Version"]
	if len(m) > 2 || (len(m) == 2 && !hasVersion) || (hasVersion && v != "2008-10-17" && v != "2012-10-17") {
		return doc
	}
	if reflect.DeepEqual(st, full) {
		return ""
	}
	return doc
}

// derivedSuffix is a stable made-up DNS suffix for an endpoint whose
// DnsEntries do not show its own: 8 lower-case letters and digits.
func derivedSuffix(id string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	h := sha256.Sum256([]byte(id))
	b := make([]byte, 8)
	for i := range b {
		b[i] = alphabet[int(h[i])%len(alphabet)]
	}
	return string(b)
}
