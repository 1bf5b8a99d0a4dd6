package ec2api

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"slices"
	"strings"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// networkActions are the VPC network actions.
func networkActions() map[string]actionFunc {
	return map[string]actionFunc{
		"DescribeVpcs":                  describeVpcs,
		"DescribeVpcAttribute":          describeVpcAttribute,
		"ModifyVpcAttribute":            modifyVpcAttribute,
		"DescribeSubnets":               describeSubnets,
		"DescribeSecurityGroups":        describeSecurityGroups,
		"DescribeRouteTables":           describeRouteTables,
		"DescribeInternetGateways":      describeInternetGateways,
		"DescribeInstances":             describeInstances,
		"AuthorizeSecurityGroupIngress": authorizeSecurityGroupIngress,
		"RevokeSecurityGroupIngress":    revokeSecurityGroupIngress,
		"CreateRoute":                   createRoute,
		"DeleteRoute":                   deleteRoute,
		"AttachInternetGateway":         attachInternetGateway,
		"DetachInternetGateway":         detachInternetGateway,
	}
}

// itemSet is a list of structures in EC2's XML shape: as a field tagged
// with the set's name it marshals as <xSet><item>…</item>…</xSet>, and as
// an empty element when empty, as EC2 sends it (<vpcSet/>, which the CLI
// prints as "Vpcs": []).
type itemSet[T any] []T

// MarshalXML writes the set as start with one <item> per element.
func (s itemSet[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalItems(e, start, s)
}

// returnResponse is the answer of the actions that answer only
// <return>true</return>.
type returnResponse struct {
	XMLName xml.Name
	Meta
	Return bool `xml:"return"`
}

func returnTrue(req *Request) *returnResponse {
	return &returnResponse{XMLName: xml.Name{Local: req.Action + "Response"}, Meta: NewMeta(req), Return: true}
}

// change applies fn to a copy of the current Spec through the Backend, or
// with DryRun=true checks that it would succeed (DryRunOperation) without
// changing anything. fn checks the request against that Spec, the one the
// change is made to, so that checks and change are atomic, and answers
// EC2's error for what it finds wrong; a Spec that vpce.Build still
// refuses is InvalidParameterValue with the model's reason.
func (h *Handler) change(p Params, fn func(s *vpce.Spec) *Error) *Error {
	dry, err := dryRunSet(p)
	if err != nil {
		return err
	}
	if dry {
		return h.dryRun(fn)
	}
	_, err = h.update(fn)
	return err
}

// stableID is a resource ID EC2 would show for something the topology
// does not name (a route table association, a security group rule): prefix
// and 17 hex digits of a hash of what it belongs to, the same on every
// call and every run.
func stableID(prefix string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return prefix + "-" + hex.EncodeToString(h.Sum(nil))[:17]
}

// azRegion is the region of an availability zone ("us-east-1d" →
// "us-east-1").
func azRegion(az string) string {
	if len(az) > 1 {
		return az[:len(az)-1]
	}
	return az
}

// azID is a zone's AZ ID ("use1-az4" for us-east-1d). AWS maps zone names
// to IDs differently in each account; the emulator's mapping is the
// zone's letter in order, so the same name always has the same ID.
func azID(az string) string {
	if len(az) < 2 {
		return az
	}
	parts := strings.Split(azRegion(az), "-")
	if len(parts) != 3 {
		return az
	}
	mid := parts[1]
	abbr := ""
	for _, p := range []string{"north", "south"} {
		if rest, ok := strings.CutPrefix(mid, p); ok {
			abbr, mid = p[:1], rest
		}
	}
	if mid != "" {
		abbr += mid[:1]
	}
	return parts[0] + abbr + parts[2] + "-az" + string(rune('1'+az[len(az)-1]-'a'))
}

// malformedID is EC2's error for an ID of the wrong form.
func malformedID(code, prefix, id string) *Error {
	return Errorf(code, "Invalid id: \"%s\" (expecting \"%s-...\")", id, prefix)
}

// missingIDs is EC2's NotFound error for IDs of one kind ("vpc",
// "subnet", "routeTable", …): "The vpc ID 'vpc-1' does not exist".
func missingIDs(code, kind string, ids []string) *Error {
	if len(ids) == 1 {
		return Errorf(code, "The %s ID '%s' does not exist", kind, ids[0])
	}
	return Errorf(code, "The %s IDs '%s' do not exist", kind, strings.Join(ids, ", "))
}

// missingParameter is EC2's error for a required parameter left out.
func missingParameter(name string) *Error {
	return Errorf("MissingParameter", "The request must contain the parameter %s", name)
}

// lister is how one Describe action lists one kind of resource: the
// request's ID parameter, the filters it accepts, and the resource's ID,
// filter values and tags.
type lister[T any] struct {
	idParam string
	// checkID answers EC2's Malformed error for an ID of the wrong form
	// (nil: every form is looked up, and not found).
	checkID  func(id string) *Error
	notFound func(ids []string) *Error
	filters  []string
	id       func(T) string
	values   func(T, string) []string
	tags     func(T) []vpce.Tag
}

// list answers a Describe request over all: the items named by the ID
// parameter and extra (all when none are named) that match the filters,
// in ID order, one page of them, and the next page's token. extra are IDs
// the caller found by other parameters (DescribeSecurityGroups'
// GroupName.N).
func (l lister[T]) list(req *Request, all []T, extra ...string) ([]T, string, *Error) {
	ids := req.Params.List(l.idParam)
	for _, id := range ids {
		if l.checkID != nil {
			if err := l.checkID(id); err != nil {
				return nil, "", err
			}
		}
	}
	fs, pg, err := parseDescribe(req.Params, req.Action, rangePages, l.filters...)
	if err != nil {
		return nil, "", err
	}
	ids = append(ids, extra...)
	items := all
	if len(ids) > 0 {
		byID := make(map[string]T, len(all))
		for _, it := range all {
			byID[l.id(it)] = it
		}
		items = nil
		var missing []string
		seen := make(map[string]bool, len(ids))
		for _, id := range ids {
			it, ok := byID[id]
			switch {
			case !ok:
				missing = append(missing, id)
			case !seen[id]:
				seen[id] = true
				items = append(items, it)
			}
		}
		if len(missing) > 0 {
			return nil, "", l.notFound(missing)
		}
	}
	var out []T
	for _, it := range items {
		if fs.Match(func(name string) []string { return l.values(it, name) }, l.tags(it)) {
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b T) int { return cmp.Compare(l.id(a), l.id(b)) })
	page, next := Paginate(out, l.id, req.Action, pg)
	return page, next, nil
}

// boolString is a bool as a filter value.
func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
