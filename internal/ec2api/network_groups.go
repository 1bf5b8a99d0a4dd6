package ec2api

import (
	"encoding/xml"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// describeSecurityGroupsResponse is DescribeSecurityGroups' answer.
type describeSecurityGroupsResponse struct {
	XMLName xml.Name `xml:"DescribeSecurityGroupsResponse"`
	Meta
	SecurityGroups itemSet[securityGroupItem] `xml:"securityGroupInfo"`
	NextToken      string                     `xml:"nextToken,omitempty"`
}

type securityGroupItem struct {
	OwnerID             string                    `xml:"ownerId"`
	GroupID             string                    `xml:"groupId"`
	GroupName           string                    `xml:"groupName"`
	GroupDescription    string                    `xml:"groupDescription"`
	VpcID               string                    `xml:"vpcId"`
	IPPermissions       itemSet[ipPermissionItem] `xml:"ipPermissions"`
	IPPermissionsEgress itemSet[ipPermissionItem] `xml:"ipPermissionsEgress"`
	Tags                TagSet                    `xml:"tagSet,omitempty"`
	SecurityGroupArn    string                    `xml:"securityGroupArn"`
}

// ipPermissionItem is EC2's IpPermission: one protocol and port range with
// all its sources. fromPort and toPort are left out for protocol -1.
type ipPermissionItem struct {
	IPProtocol    string                   `xml:"ipProtocol"`
	FromPort      *int                     `xml:"fromPort,omitempty"`
	ToPort        *int                     `xml:"toPort,omitempty"`
	Groups        itemSet[userIDGroupPair] `xml:"groups"`
	IPRanges      itemSet[ipRangeItem]     `xml:"ipRanges"`
	Ipv6Ranges    itemSet[struct{}]        `xml:"ipv6Ranges"`
	PrefixListIDs itemSet[struct{}]        `xml:"prefixListIds"`
}

type userIDGroupPair struct {
	Description string `xml:"description,omitempty"`
	UserID      string `xml:"userId"`
	GroupID     string `xml:"groupId"`
}

type ipRangeItem struct {
	CidrIP      string `xml:"cidrIp"`
	Description string `xml:"description,omitempty"`
}

// permissionItems renders rules as EC2 lists them: rules of the same
// protocol and ports merged into one IpPermission, in order of first
// appearance, each source with its rule's description.
func permissionItems(account string, rules []vpce.Rule) itemSet[ipPermissionItem] {
	var out []ipPermissionItem
	type key struct {
		proto    string
		from, to int
	}
	at := map[key]int{}
	for _, r := range rules {
		k := key{r.Protocol, r.FromPort, r.ToPort}
		i, ok := at[k]
		if !ok {
			it := ipPermissionItem{IPProtocol: r.Protocol}
			if r.Protocol != vpce.ProtocolAll {
				from, to := r.FromPort, r.ToPort
				it.FromPort, it.ToPort = &from, &to
			}
			i = len(out)
			at[k] = i
			out = append(out, it)
		}
		it := &out[i]
		for _, c := range r.CIDRs {
			it.IPRanges = append(it.IPRanges, ipRangeItem{CidrIP: c.String(), Description: r.Description})
		}
		for _, g := range r.Groups {
			it.Groups = append(it.Groups, userIDGroupPair{Description: r.Description, UserID: account, GroupID: g})
		}
	}
	return itemSet[ipPermissionItem](out)
}

func securityGroupARN(region, account, id string) string {
	return "arn:aws:ec2:" + region + ":" + account + ":security-group/" + id
}

func groupLister(t *vpce.Topology) lister[vpce.SecurityGroup] {
	return lister[vpce.SecurityGroup]{
		idParam:  "GroupId",
		checkID:  checkGroupID,
		notFound: groupNotFound,
		filters: []string{"group-id", "group-name", "vpc-id", "description", "owner-id",
			"ip-permission.protocol", "ip-permission.from-port", "ip-permission.to-port",
			"ip-permission.cidr", "ip-permission.group-id", "tag:", "tag-key"},
		id: func(g vpce.SecurityGroup) string { return g.ID },
		values: func(g vpce.SecurityGroup, name string) []string {
			switch name {
			case "group-id":
				return []string{g.ID}
			case "group-name":
				return []string{g.Name}
			case "vpc-id":
				return []string{g.VPCID}
			case "description":
				return []string{g.Description}
			case "owner-id":
				return []string{t.Account()}
			}
			var out []string
			for _, r := range g.Ingress {
				switch name {
				case "ip-permission.protocol":
					out = append(out, r.Protocol)
				case "ip-permission.from-port":
					out = append(out, strconv.Itoa(r.FromPort))
				case "ip-permission.to-port":
					out = append(out, strconv.Itoa(r.ToPort))
				case "ip-permission.cidr":
					for _, c := range r.CIDRs {
						out = append(out, c.String())
					}
				case "ip-permission.group-id":
					out = append(out, r.Groups...)
				}
			}
			return out
		},
		tags: func(g vpce.SecurityGroup) []vpce.Tag { return g.Tags },
	}
}

func checkGroupID(id string) *Error {
	if !vpce.ValidResourceID(vpce.PrefixGroup, id) {
		return malformedID("InvalidGroupId.Malformed", vpce.PrefixGroup, id)
	}
	return nil
}

// groupNotFound is EC2's InvalidGroup.NotFound, which words its message
// differently from the other NotFound errors.
func groupNotFound(ids []string) *Error {
	return Errorf("InvalidGroup.NotFound", "The security group '%s' does not exist", strings.Join(ids, ", "))
}

// defaultVPC is the region's default VPC in s.
func defaultVPC(vpcs []vpce.VPC) (vpce.VPC, bool) {
	for _, v := range vpcs {
		if v.IsDefault {
			return v, true
		}
	}
	return vpce.VPC{}, false
}

// groupByName finds a security group by name: GroupName parameters name
// groups of the default VPC.
func groupByName(vpcs []vpce.VPC, groups []vpce.SecurityGroup, name string) (int, *Error) {
	v, ok := defaultVPC(vpcs)
	if !ok {
		return -1, Errorf("VPCIdNotSpecified", "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.")
	}
	for i, g := range groups {
		if g.VPCID == v.ID && g.Name == name {
			return i, nil
		}
	}
	return -1, Errorf("InvalidGroup.NotFound", "The security group '%s' does not exist in default VPC '%s'", name, v.ID)
}

func describeSecurityGroups(h *Handler, req *Request) (any, *Error) {
	t := h.b.Topology()
	var byName []string
	for _, name := range req.Params.List("GroupName") {
		i, err := groupByName(t.VPCs(), t.SecurityGroups(), name)
		if err != nil {
			return nil, err
		}
		byName = append(byName, t.SecurityGroups()[i].ID)
	}
	groups, next, err := groupLister(t).list(req, t.SecurityGroups(), byName...)
	if err != nil {
		return nil, err
	}
	resp := &describeSecurityGroupsResponse{Meta: NewMeta(req), NextToken: next}
	for _, g := range groups {
		resp.SecurityGroups = append(resp.SecurityGroups, securityGroupItem{
			OwnerID:             t.Account(),
			GroupID:             g.ID,
			GroupName:           g.Name,
			GroupDescription:    g.Description,
			VpcID:               g.VPCID,
			IPPermissions:       permissionItems(t.Account(), g.Ingress),
			IPPermissionsEgress: permissionItems(t.Account(), g.Egress),
			Tags:                XMLTags(g.Tags),
			SecurityGroupArn:    securityGroupARN(region(req), t.Account(), g.ID),
		})
	}
	return resp, nil
}

// permission is one IpPermissions.N of an Authorize or Revoke request (or
// its short form): a protocol (vpce.ProtocolTCP, …), ports, and sources.
type permission struct {
	Protocol         string
	FromPort, ToPort int
	CIDRs            []cidrSource
	Groups           []groupSource
}

type cidrSource struct {
	CIDR        netip.Prefix
	Description string
}

// groupSource is a source security group, by ID or (in the default VPC)
// by name.
type groupSource struct {
	ID, Name, UserID string
	Description      string
}

// maxPermissions bounds IpPermissions.N (and each permission's sources),
// so that a request cannot make the decoder loop long.
const maxPermissions = 100

// maxDescription is EC2's limit on a rule description's length.
const maxDescription = 255

// parseIPPermissions decodes a request's rules: IpPermissions.N
// (IpProtocol, FromPort, ToPort, IpRanges.M.CidrIp/Description,
// Groups.M.GroupId/GroupName/UserId/Description), or the short form
// (IpProtocol, FromPort, ToPort, CidrIp, SourceSecurityGroupName); not
// both. Protocols are accepted by name or number (tcp/6, udp/17, icmp/1,
// -1/all) and stored as vpce.Protocol*; CIDRs are canonicalised
// (10.0.0.5/8 is 10.0.0.0/8), as EC2 does.
func parseIPPermissions(p Params) ([]permission, *Error) {
	short := []string{"IpProtocol", "FromPort", "ToPort", "CidrIp", "SourceSecurityGroupName", "SourceSecurityGroupOwnerId"}
	var shortGiven string
	for _, name := range short {
		if p.Has(name) {
			shortGiven = name
			break
		}
	}
	if p.hasPrefix("IpPermissions.") {
		if shortGiven != "" {
			return nil, Errorf("InvalidParameterCombination", "The parameter 'ipPermissions' may not be used in combination with '%s'", lowerFirst(shortGiven))
		}
		return parsePermissionList(p)
	}
	if shortGiven == "" {
		return nil, Errorf("MissingParameter", "The request must contain the parameter ipPermissions")
	}
	perm, err := parsePermission(p, "")
	if err != nil {
		return nil, err
	}
	if c, ok := p["CidrIp"]; ok && len(c) > 0 {
		cidr, err := parseCIDR(c[0])
		if err != nil {
			return nil, err
		}
		perm.CIDRs = append(perm.CIDRs, cidrSource{CIDR: cidr})
	}
	if name := p.String("SourceSecurityGroupName"); name != "" {
		perm.Groups = append(perm.Groups, groupSource{Name: name, UserID: p.String("SourceSecurityGroupOwnerId")})
	}
	if len(perm.CIDRs) == 0 && len(perm.Groups) == 0 {
		return nil, Errorf("MissingParameter", "Missing source specification")
	}
	return []permission{perm}, nil
}

func parsePermissionList(p Params) ([]permission, *Error) {
	var perms []permission
	for n := 1; ; n++ {
		prefix := "IpPermissions." + strconv.Itoa(n) + "."
		if !p.hasPrefix(prefix) {
			break
		}
		if n > maxPermissions {
			return nil, Errorf("InvalidParameterValue", "A request may hold at most %d IpPermissions.", maxPermissions)
		}
		perm, err := parsePermission(p, prefix)
		if err != nil {
			return nil, err
		}
		err = eachMember(p, prefix+"IpRanges", func(m string) *Error {
			c, ok := p[m+"CidrIp"]
			if !ok || len(c) == 0 {
				return missingParameter(m + "CidrIp")
			}
			cidr, err := parseCIDR(c[0])
			if err != nil {
				return err
			}
			d, err := parseDescription(p, m+"Description")
			if err != nil {
				return err
			}
			perm.CIDRs = append(perm.CIDRs, cidrSource{CIDR: cidr, Description: d})
			return nil
		})
		if err != nil {
			return nil, err
		}
		err = eachMember(p, prefix+"Groups", func(m string) *Error {
			g := groupSource{ID: p.String(m + "GroupId"), Name: p.String(m + "GroupName"), UserID: p.String(m + "UserId")}
			if g.ID == "" && g.Name == "" {
				return Errorf("MissingParameter", "The request must contain the parameter %sGroupId or %sGroupName", m, m)
			}
			d, err := parseDescription(p, m+"Description")
			if err != nil {
				return err
			}
			g.Description = d
			perm.Groups = append(perm.Groups, g)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if p.hasPrefix(prefix + "Ipv6Ranges.") {
			return nil, Errorf("InvalidParameterValue", "IPv6 rules are not emulated: only IPv4 CIDRs (IpRanges) and security groups (Groups) can be sources.")
		}
		if p.hasPrefix(prefix + "PrefixListIds.") {
			return nil, Errorf("InvalidParameterValue", "Prefix lists are not emulated as rule sources: only IPv4 CIDRs (IpRanges) and security groups (Groups) can be.")
		}
		if len(perm.CIDRs) == 0 && len(perm.Groups) == 0 {
			return nil, Errorf("MissingParameter", "Missing source specification")
		}
		perms = append(perms, perm)
	}
	return perms, nil
}

// eachMember calls fn with "list.M." for M = 1, 2, … while parameters
// with that prefix exist.
func eachMember(p Params, list string, fn func(member string) *Error) *Error {
	for m := 1; ; m++ {
		member := list + "." + strconv.Itoa(m) + "."
		if !p.hasPrefix(member) {
			return nil
		}
		if m > maxPermissions {
			return Errorf("InvalidParameterValue", "%s may hold at most %d items.", list, maxPermissions)
		}
		if err := fn(member); err != nil {
			return err
		}
	}
}

// parsePermission decodes prefix+IpProtocol, FromPort and ToPort.
func parsePermission(p Params, prefix string) (permission, *Error) {
	raw, ok := p[prefix+"IpProtocol"]
	if !ok || len(raw) == 0 || raw[0] == "" {
		return permission{}, missingParameter(prefix + "IpProtocol")
	}
	proto, err := parseProtocol(raw[0])
	if err != nil {
		return permission{}, err
	}
	from, fromSet, err := p.Int(prefix + "FromPort")
	if err != nil {
		return permission{}, err
	}
	to, toSet, err := p.Int(prefix + "ToPort")
	if err != nil {
		return permission{}, err
	}
	perm := permission{Protocol: proto, FromPort: from, ToPort: to}
	switch proto {
	case vpce.ProtocolAll:
		perm.FromPort, perm.ToPort = -1, -1
	case vpce.ProtocolTCP, vpce.ProtocolUDP:
		if !fromSet || !toSet {
			return permission{}, Errorf("InvalidParameterValue", "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange")
		}
		if from < 0 || to > 65535 || from > to {
			return permission{}, Errorf("InvalidParameterValue", "Invalid value '%d-%d' for portRange. Ports must be between 0 and 65535, from port no greater than to port.", from, to)
		}
	case vpce.ProtocolICMP:
		if !fromSet {
			perm.FromPort = -1
		}
		if !toSet {
			perm.ToPort = -1
		}
		if perm.FromPort < -1 || perm.FromPort > 255 || perm.ToPort < -1 || perm.ToPort > 255 {
			return permission{}, Errorf("InvalidParameterValue", "Invalid value '%d/%d' for ICMP type and code: each must be between -1 and 255.", perm.FromPort, perm.ToPort)
		}
	}
	return perm, nil
}

// parseProtocol maps an IpProtocol value to the model's protocol name.
func parseProtocol(s string) (string, *Error) {
	switch strings.ToLower(s) {
	case "-1", "all":
		return vpce.ProtocolAll, nil
	case "tcp", "6":
		return vpce.ProtocolTCP, nil
	case "udp", "17":
		return vpce.ProtocolUDP, nil
	case "icmp", "1":
		return vpce.ProtocolICMP, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 255 {
		return "", Errorf("InvalidParameterValue", "IP protocol %d is not emulated: use tcp (6), udp (17), icmp (1) or -1 (all).", n)
	}
	return "", Errorf("InvalidParameterValue", "Invalid value '%s' for IP protocol. Unknown protocol.", s)
}

func parseCIDR(s string) (netip.Prefix, *Error) {
	c, err := netip.ParsePrefix(s)
	if err != nil || !c.Addr().Is4() {
		return netip.Prefix{}, Errorf("InvalidParameterValue", "CIDR block %s is malformed", s)
	}
	return c.Masked(), nil
}

func parseDescription(p Params, name string) (string, *Error) {
	d := p.String(name)
	if len(d) > maxDescription {
		return "", Errorf("InvalidParameterValue", "Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*")
	}
	return d, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// ruleEntry is one source of one rule: EC2's unit of a security group
// rule (one sgr- ID each).
type ruleEntry struct {
	Protocol         string
	FromPort, ToPort int
	// Source is the CIDR or the security group ID.
	Source      string
	IsGroup     bool
	Description string
}

func (e ruleEntry) same(o ruleEntry) bool {
	return e.Protocol == o.Protocol && e.FromPort == o.FromPort && e.ToPort == o.ToPort && e.Source == o.Source
}

// ruleID is the entry's security group rule ID, stable for its group,
// direction, protocol, ports and source.
func (e ruleEntry) ruleID(groupID string, egress bool) string {
	dir := "ingress"
	if egress {
		dir = "egress"
	}
	return stableID("sgr", groupID, dir, e.Protocol, strconv.Itoa(e.FromPort), strconv.Itoa(e.ToPort), e.Source)
}

// describe is the entry as EC2 names it in InvalidPermission.Duplicate.
func (e ruleEntry) describe() string {
	switch e.Protocol {
	case vpce.ProtocolAll:
		return fmt.Sprintf("peer: %s, ALL, ALLOW", e.Source)
	case vpce.ProtocolICMP:
		return fmt.Sprintf("peer: %s, ICMP, type: %d, code: %d, ALLOW", e.Source, e.FromPort, e.ToPort)
	}
	return fmt.Sprintf("peer: %s, %s, from port: %d, to port: %d, ALLOW", e.Source, strings.ToUpper(e.Protocol), e.FromPort, e.ToPort)
}

// entries flattens rules into one entry per source.
func entries(rules []vpce.Rule) []ruleEntry {
	var out []ruleEntry
	for _, r := range rules {
		e := ruleEntry{Protocol: r.Protocol, FromPort: r.FromPort, ToPort: r.ToPort, Description: r.Description}
		for _, c := range r.CIDRs {
			e.Source, e.IsGroup = c.String(), false
			out = append(out, e)
		}
		for _, g := range r.Groups {
			e.Source, e.IsGroup = g, true
			out = append(out, e)
		}
	}
	return out
}

// addEntry adds e to rules: to the rule of the same protocol, ports and
// description if there is one, else as a new rule.
func addEntry(rules []vpce.Rule, e ruleEntry) []vpce.Rule {
	i := slices.IndexFunc(rules, func(r vpce.Rule) bool {
		return r.Protocol == e.Protocol && r.FromPort == e.FromPort && r.ToPort == e.ToPort && r.Description == e.Description
	})
	if i < 0 {
		rules = append(rules, vpce.Rule{Protocol: e.Protocol, FromPort: e.FromPort, ToPort: e.ToPort, Description: e.Description})
		i = len(rules) - 1
	}
	r := &rules[i]
	if e.IsGroup {
		r.Groups = append(r.Groups, e.Source)
	} else {
		r.CIDRs = append(r.CIDRs, netip.MustParsePrefix(e.Source))
	}
	return rules
}

// removeEntry removes e's source from the rule that holds it, dropping a
// rule left without sources, and reports whether it was there.
func removeEntry(rules []vpce.Rule, e ruleEntry) ([]vpce.Rule, bool) {
	for i := range rules {
		r := &rules[i]
		if r.Protocol != e.Protocol || r.FromPort != e.FromPort || r.ToPort != e.ToPort {
			continue
		}
		found := false
		if e.IsGroup {
			if j := slices.Index(r.Groups, e.Source); j >= 0 {
				r.Groups, found = slices.Delete(r.Groups, j, j+1), true
			}
		} else if j := slices.IndexFunc(r.CIDRs, func(c netip.Prefix) bool { return c.String() == e.Source }); j >= 0 {
			r.CIDRs, found = slices.Delete(r.CIDRs, j, j+1), true
		}
		if found {
			if len(r.CIDRs) == 0 && len(r.Groups) == 0 {
				rules = slices.Delete(rules, i, i+1)
			}
			return rules, true
		}
	}
	return rules, false
}

// targetGroup finds the group a request names by GroupId, or by GroupName
// in the default VPC.
func targetGroup(s *vpce.Spec, p Params) (int, *Error) {
	if id := p.String("GroupId"); id != "" {
		if err := checkGroupID(id); err != nil {
			return -1, err
		}
		i := slices.IndexFunc(s.SecurityGroups, func(g vpce.SecurityGroup) bool { return g.ID == id })
		if i < 0 {
			return -1, groupNotFound([]string{id})
		}
		return i, nil
	}
	if name := p.String("GroupName"); name != "" {
		return groupByName(s.VPCs, s.SecurityGroups, name)
	}
	return -1, Errorf("MissingParameter", "The request must contain the parameter groupName or groupId")
}

// permissionEntries resolves perms against s for the group g: source
// groups by ID (or by name in g's VPC) that exist and are in g's VPC or a
// peered one, and the account's own.
func permissionEntries(s *vpce.Spec, g vpce.SecurityGroup, perms []permission) ([]ruleEntry, *Error) {
	account := s.Account
	if account == "" {
		account = vpce.DefaultAccount
	}
	var out []ruleEntry
	for _, perm := range perms {
		e := ruleEntry{Protocol: perm.Protocol, FromPort: perm.FromPort, ToPort: perm.ToPort}
		for _, c := range perm.CIDRs {
			e.Source, e.IsGroup, e.Description = c.CIDR.String(), false, c.Description
			out = append(out, e)
		}
		for _, src := range perm.Groups {
			if src.UserID != "" && src.UserID != account {
				return nil, Errorf("InvalidParameterValue", "Security groups of other accounts (%s) are not emulated: this account is %s.", src.UserID, account)
			}
			var ref *vpce.SecurityGroup
			for i := range s.SecurityGroups {
				o := &s.SecurityGroups[i]
				if (src.ID != "" && o.ID == src.ID) || (src.ID == "" && o.VPCID == g.VPCID && o.Name == src.Name) {
					ref = o
					break
				}
			}
			switch {
			case ref == nil && src.ID != "":
				if err := checkGroupID(src.ID); err != nil {
					return nil, err
				}
				return nil, groupNotFound([]string{src.ID})
			case ref == nil:
				return nil, Errorf("InvalidGroup.NotFound", "The security group '%s' does not exist in VPC '%s'", src.Name, g.VPCID)
			case ref.VPCID != g.VPCID && !peered(s, ref.VPCID, g.VPCID):
				return nil, Errorf("InvalidGroup.NotFound", "You have specified two resources that belong to different networks.")
			}
			e.Source, e.IsGroup, e.Description = ref.ID, true, src.Description
			out = append(out, e)
		}
	}
	return out, nil
}

func peered(s *vpce.Spec, a, b string) bool {
	for _, p := range s.Peerings {
		if other, ok := p.Connects(a); ok && other == b {
			return true
		}
	}
	return false
}

// authorizeIngressResponse is AuthorizeSecurityGroupIngress' answer.
type authorizeIngressResponse struct {
	XMLName xml.Name `xml:"AuthorizeSecurityGroupIngressResponse"`
	Meta
	Return bool                       `xml:"return"`
	Rules  itemSet[securityGroupRule] `xml:"securityGroupRuleSet"`
}

type securityGroupRule struct {
	SecurityGroupRuleID  string           `xml:"securityGroupRuleId"`
	GroupID              string           `xml:"groupId"`
	GroupOwnerID         string           `xml:"groupOwnerId"`
	IsEgress             bool             `xml:"isEgress"`
	IPProtocol           string           `xml:"ipProtocol"`
	FromPort             int              `xml:"fromPort"`
	ToPort               int              `xml:"toPort"`
	CidrIpv4             string           `xml:"cidrIpv4,omitempty"`
	ReferencedGroupInfo  *referencedGroup `xml:"referencedGroupInfo,omitempty"`
	Description          string           `xml:"description,omitempty"`
	SecurityGroupRuleArn string           `xml:"securityGroupRuleArn"`
}

type referencedGroup struct {
	GroupID string `xml:"groupId"`
	UserID  string `xml:"userId"`
}

func authorizeSecurityGroupIngress(h *Handler, req *Request) (any, *Error) {
	perms, err := parseIPPermissions(req.Params)
	if err != nil {
		return nil, err
	}
	resp := &authorizeIngressResponse{Meta: NewMeta(req), Return: true}
	err = h.change(req.Params, func(s *vpce.Spec) *Error {
		resp.Rules = nil
		i, err := targetGroup(s, req.Params)
		if err != nil {
			return err
		}
		g := &s.SecurityGroups[i]
		add, err := permissionEntries(s, *g, perms)
		if err != nil {
			return err
		}
		have := entries(g.Ingress)
		for j, e := range add {
			if slices.ContainsFunc(have, e.same) || slices.ContainsFunc(add[:j], e.same) {
				return Errorf("InvalidPermission.Duplicate", "the specified rule \"%s\" already exists", e.describe())
			}
		}
		account := s.Account
		if account == "" {
			account = vpce.DefaultAccount
		}
		for _, e := range add {
			g.Ingress = addEntry(g.Ingress, e)
			id := e.ruleID(g.ID, false)
			r := securityGroupRule{SecurityGroupRuleID: id, GroupID: g.ID, GroupOwnerID: account, IPProtocol: e.Protocol,
				FromPort: e.FromPort, ToPort: e.ToPort, Description: e.Description,
				SecurityGroupRuleArn: "arn:aws:ec2:" + region(req) + ":" + account + ":security-group-rule/" + id}
			if e.IsGroup {
				r.ReferencedGroupInfo = &referencedGroup{GroupID: e.Source, UserID: account}
			} else {
				r.CidrIpv4 = e.Source
			}
			resp.Rules = append(resp.Rules, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// revokeIngressResponse is RevokeSecurityGroupIngress' answer.
type revokeIngressResponse struct {
	XMLName xml.Name `xml:"RevokeSecurityGroupIngressResponse"`
	Meta
	Return       bool                       `xml:"return"`
	Unknown      *itemSet[ipPermissionItem] `xml:"unknownIpPermissionSet,omitempty"`
	RevokedRules itemSet[revokedRuleItem]   `xml:"revokedSecurityGroupRuleSet"`
}

type revokedRuleItem struct {
	SecurityGroupRuleID string `xml:"securityGroupRuleId"`
	GroupID             string `xml:"groupId"`
	IsEgress            bool   `xml:"isEgress"`
	IPProtocol          string `xml:"ipProtocol"`
	FromPort            int    `xml:"fromPort"`
	ToPort              int    `xml:"toPort"`
	CidrIpv4            string `xml:"cidrIpv4,omitempty"`
	ReferencedGroupID   string `xml:"referencedGroupId,omitempty"`
	Description         string `xml:"description,omitempty"`
}

// revokeSecurityGroupIngress removes rules named by their properties
// (IpPermissions or the short form) or by SecurityGroupRuleId.N. As EC2
// documents: in a non-default VPC a rule that does not exist is
// InvalidPermission.NotFound and nothing is revoked; in the default VPC
// the others are revoked and the unknown ones listed in
// unknownIpPermissionSet.
func revokeSecurityGroupIngress(h *Handler, req *Request) (any, *Error) {
	ruleIDs := req.Params.List("SecurityGroupRuleId")
	var perms []permission
	if len(ruleIDs) == 0 {
		var err *Error
		if perms, err = parseIPPermissions(req.Params); err != nil {
			return nil, err
		}
	}
	resp := &revokeIngressResponse{Meta: NewMeta(req)}
	err := h.change(req.Params, func(s *vpce.Spec) *Error {
		resp.RevokedRules, resp.Unknown = nil, nil
		i, err := targetGroup(s, req.Params)
		if err != nil {
			return err
		}
		g := &s.SecurityGroups[i]
		have := entries(g.Ingress)
		var del []ruleEntry
		if len(ruleIDs) > 0 {
			for _, id := range ruleIDs {
				j := slices.IndexFunc(have, func(e ruleEntry) bool { return e.ruleID(g.ID, false) == id })
				if j < 0 {
					return Errorf("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", id)
				}
				del = append(del, have[j])
			}
		} else {
			want, err := permissionEntries(s, *g, perms)
			if err != nil {
				return err
			}
			v := slices.IndexFunc(s.VPCs, func(v vpce.VPC) bool { return v.ID == g.VPCID })
			inDefault := v >= 0 && s.VPCs[v].IsDefault
			var unknown []vpce.Rule
			for _, e := range want {
				j := slices.IndexFunc(have, e.same)
				switch {
				case j >= 0:
					del = append(del, have[j])
				case !inDefault:
					return Errorf("InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
				default:
					unknown = addEntry(unknown, e)
				}
			}
			if len(unknown) > 0 {
				u := permissionItems(s.Account, unknown)
				resp.Unknown = &u
			}
		}
		for _, e := range del {
			var ok bool
			if g.Ingress, ok = removeEntry(g.Ingress, e); !ok {
				continue // named twice in the request
			}
			r := revokedRuleItem{SecurityGroupRuleID: e.ruleID(g.ID, false), GroupID: g.ID, IPProtocol: e.Protocol,
				FromPort: e.FromPort, ToPort: e.ToPort, Description: e.Description}
			if e.IsGroup {
				r.ReferencedGroupID = e.Source
			} else {
				r.CidrIpv4 = e.Source
			}
			resp.RevokedRules = append(resp.RevokedRules, r)
		}
		resp.Return = len(resp.RevokedRules) > 0
		return nil
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}
