package vpce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// topologyFile is the JSON form of a Topology (see testdata/topology.json).
type topologyFile struct {
	VPCs      []vpcFile      `json:"vpcs"`
	Endpoints []endpointFile `json:"endpoints"`
}

type vpcFile struct {
	ID                  string `json:"id"`
	CIDR                string `json:"cidr"`
	S3GatewayEndpointID string `json:"s3_gateway_endpoint,omitempty"`
}

type endpointFile struct {
	ID                                       string          `json:"id"`
	DNSSuffix                                string          `json:"dns_suffix"`
	Region                                   string          `json:"region"`
	VPC                                      string          `json:"vpc"`
	Owner                                    string          `json:"owner,omitempty"`
	PrivateDNS                               bool            `json:"private_dns,omitempty"`
	PrivateDNSOnlyForInboundResolverEndpoint bool            `json:"private_dns_only_for_inbound_resolver_endpoint,omitempty"`
	Zones                                    []zoneFile      `json:"zones"`
	Policy                                   json.RawMessage `json:"policy,omitempty"`
}

type zoneFile struct {
	Name string `json:"name"`
	IP   string `json:"ip"`
}

// TopologyError is an error in a topology file: the field at fault, as a
// path such as endpoints[0].zones[1].ip, where it is and what is wrong.
type TopologyError struct {
	// Path is the field's path; "" for the document as a whole.
	Path string
	// Line and Col locate the field's value (1-based, columns in bytes);
	// 0 when not known.
	Line, Col int
	Msg       string
}

// Error renders the error, for example:
//
//	vpce: topology: line 9, column 14: endpoints[0].vpc: "vpc-2" is not a VPC of this topology (vpcs: vpc-1)
func (e *TopologyError) Error() string {
	var b strings.Builder
	b.WriteString("vpce: topology: ")
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d, column %d: ", e.Line, e.Col)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ParseTopology reads a topology from its JSON form: strict (unknown fields
// are errors). Every error is a *TopologyError naming the field path, the
// line and the column.
func ParseTopology(data []byte) (*Topology, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f topologyFile
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(data, dec, err)
	}
	if after := skipSpace(data, dec.InputOffset()); after < int64(len(data)) {
		return nil, at(data, nil, "", after, "data after the top-level object")
	}
	loc := locate(data)
	fail := func(path, format string, args ...any) error {
		return at(data, loc, path, -1, fmt.Sprintf(format, args...))
	}
	vpcs := make([]VPC, 0, len(f.VPCs))
	vpcIDs := make([]string, 0, len(f.VPCs))
	gateway := map[string]bool{}
	var gws []GatewayEndpoint
	for i, v := range f.VPCs {
		path := fmt.Sprintf("vpcs[%d]", i)
		if !strings.HasPrefix(v.ID, "vpc-") {
			return nil, fail(path+".id", "%q: want an id vpc-…", v.ID)
		}
		if slices.Contains(vpcIDs, v.ID) {
			return nil, fail(path+".id", "%q listed twice", v.ID)
		}
		p, err := netip.ParsePrefix(v.CIDR)
		if err != nil {
			return nil, fail(path+".cidr", "%q: %v", v.CIDR, err)
		}
		if !p.Addr().Is4() {
			return nil, fail(path+".cidr", "%q: want an IPv4 CIDR", v.CIDR)
		}
		vpcs = append(vpcs, VPC{ID: v.ID, CIDR: p, EnableDNSSupport: true, EnableDNSHostnames: true})
		if v.S3GatewayEndpointID != "" {
			gws = append(gws, GatewayEndpoint{ID: v.S3GatewayEndpointID, VPCID: v.ID, Region: DefaultRegion})
		}
		vpcIDs = append(vpcIDs, v.ID)
		gateway[v.ID] = v.S3GatewayEndpointID != ""
	}
	if len(f.Endpoints) == 0 {
		return nil, fail("endpoints", "at least one endpoint is needed")
	}
	eps := make([]Endpoint, 0, len(f.Endpoints))
	seen := map[string]int{}
	for i, e := range f.Endpoints {
		path := fmt.Sprintf("endpoints[%d]", i)
		switch {
		case !validID(e.ID):
			return nil, fail(path+".id", "%q: want vpce- followed by 8 or 17 lower-case hex digits", e.ID)
		case !validSuffix(e.DNSSuffix):
			return nil, fail(path+".dns_suffix", "%q: want 8 lower-case letters or digits", e.DNSSuffix)
		case !validRegion(e.Region):
			return nil, fail(path+".region", "%q: want a region name like us-east-1", e.Region)
		case !slices.Contains(vpcIDs, e.VPC):
			return nil, fail(path+".vpc", "%q is not a VPC of this topology (vpcs: %s)", e.VPC, orNone(vpcIDs))
		case e.Owner != "" && !validAccount(e.Owner):
			return nil, fail(path+".owner", "%q: want a 12-digit account ID", e.Owner)
		case len(e.Zones) == 0:
			return nil, fail(path+".zones", "an interface endpoint needs at least one zone (subnet)")
		case e.PrivateDNSOnlyForInboundResolverEndpoint && !e.PrivateDNS:
			return nil, fail(path+".private_dns_only_for_inbound_resolver_endpoint", "needs \"private_dns\": true")
		case e.PrivateDNSOnlyForInboundResolverEndpoint && !gateway[e.VPC]:
			// AWS's wording (CreateVpcEndpoint / ModifyVpcEndpoint).
			return nil, fail(path+".private_dns_only_for_inbound_resolver_endpoint",
				"To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC %s must have a gateway endpoint for the service (s3_gateway_endpoint).", e.VPC)
		}
		if j, dup := seen[e.ID]; dup {
			return nil, fail(path+".id", "%q listed twice (also endpoints[%d])", e.ID, j)
		}
		seen[e.ID] = i
		ep := Endpoint{ID: e.ID, DNSSuffix: e.DNSSuffix, Region: e.Region, VPCID: e.VPC, OwnerID: e.Owner,
			PrivateDNS: e.PrivateDNS, PrivateDNSOnlyForInboundResolverEndpoint: e.PrivateDNSOnlyForInboundResolverEndpoint}
		zones := map[string]int{}
		for j, z := range e.Zones {
			zpath := fmt.Sprintf("%s.zones[%d]", path, j)
			if !strings.HasPrefix(z.Name, e.Region) || len(z.Name) <= len(e.Region) || !validLabel(z.Name) {
				return nil, fail(zpath+".name", "%q: want an availability zone of %s such as %sa", z.Name, e.Region, e.Region)
			}
			if k, dup := zones[z.Name]; dup {
				return nil, fail(zpath+".name", "%q listed twice (also zones[%d])", z.Name, k)
			}
			zones[z.Name] = j
			ip, err := netip.ParseAddr(z.IP)
			if err != nil {
				return nil, fail(zpath+".ip", "%q: %v", z.IP, err)
			}
			if !ip.Is4() {
				return nil, fail(zpath+".ip", "%q: want an IPv4 address", z.IP)
			}
			ep.Zones = append(ep.Zones, Zone{Name: z.Name, IP: ip})
		}
		if len(e.Policy) > 0 && string(e.Policy) != "null" {
			if e.Policy[0] != '{' {
				return nil, fail(path+".policy", "want a policy document (a JSON object)")
			}
			ep.Policy = string(e.Policy)
		}
		eps = append(eps, ep)
	}
	t, err := Build(Spec{VPCs: vpcs, Endpoints: eps, GatewayEndpoints: gws})
	if err != nil {
		// The checks above cover NewTopology's; keep one prefix if they
		// ever fall behind.
		return nil, &TopologyError{Msg: strings.TrimPrefix(err.Error(), "vpce: ")}
	}
	return t, nil
}

// MarshalTopology writes t in the JSON form ParseTopology reads.
func MarshalTopology(t *Topology) ([]byte, error) {
	var f topologyFile
	for _, v := range t.VPCs() {
		vf := vpcFile{ID: v.ID, CIDR: v.CIDR.String()}
		if g, ok := t.GatewayEndpointIn(v.ID); ok {
			vf.S3GatewayEndpointID = g.ID
		}
		f.VPCs = append(f.VPCs, vf)
	}
	for _, e := range t.Endpoints() {
		ef := endpointFile{ID: e.ID, DNSSuffix: e.DNSSuffix, Region: e.Region, VPC: e.VPCID, Owner: e.OwnerID,
			PrivateDNS: e.PrivateDNS, PrivateDNSOnlyForInboundResolverEndpoint: e.PrivateDNSOnlyForInboundResolverEndpoint}
		for _, z := range e.Zones {
			ef.Zones = append(ef.Zones, zoneFile{Name: z.Name, IP: z.IP.String()})
		}
		if e.Policy != "" {
			ef.Policy = json.RawMessage(e.Policy)
		}
		f.Endpoints = append(f.Endpoints, ef)
	}
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("vpce: topology: %w", err)
	}
	return append(out, '\n'), nil
}

// jsonError locates a decoding error in data.
func jsonError(data []byte, dec *json.Decoder, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset is just past the offending byte.
		return at(data, nil, "", max(syn.Offset-1, 0), strings.TrimPrefix(err.Error(), "json: "))
	case errors.As(err, &typ):
		// typ.Offset is just past the value: its path is the last value
		// that starts before it.
		path, off := typ.Field, typ.Offset
		for _, l := range locate(data) {
			if l.off < typ.Offset {
				path, off = l.path, l.off
			}
		}
		return at(data, nil, path, off, fmt.Sprintf("want %s, got JSON %s", typeName(typ), typ.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		path, off := "", dec.InputOffset()
		if l, ok := firstUnknown(locate(data)); ok {
			path, off = l.path, l.key
		}
		return at(data, nil, path, off, fmt.Sprintf("unknown field %q", name))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &TopologyError{Msg: "unexpected end of the document"}
	}
	return &TopologyError{Msg: err.Error()}
}

func typeName(typ *json.UnmarshalTypeError) string {
	switch typ.Type.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "an array"
	case reflect.Struct:
		return "an object"
	}
	return typ.Type.String()
}

// at builds a TopologyError for path at byte offset off; off < 0 looks
// the path up in loc.
func at(data []byte, loc []located, path string, off int64, msg string) *TopologyError {
	if off < 0 {
		for _, l := range loc {
			if l.path == path {
				off = l.off
				break
			}
		}
	}
	e := &TopologyError{Path: path, Msg: msg}
	if off >= 0 {
		e.Line, e.Col = position(data, off)
	}
	return e
}

// schema maps the path of each object in a topology file, with array
// indices as [], to the Go type it decodes into.
var schema = map[string]reflect.Type{
	"":                    reflect.TypeFor[topologyFile](),
	"vpcs[]":              reflect.TypeFor[vpcFile](),
	"endpoints[]":         reflect.TypeFor[endpointFile](),
	"endpoints[].zones[]": reflect.TypeFor[zoneFile](),
}

var indexRE = regexp.MustCompile(`\[[0-9]+\]`)

// firstUnknown returns the first member, in document order, that its
// object's type has no field for (matched without case, as encoding/json
// does).
func firstUnknown(loc []located) (located, bool) {
	for _, l := range loc {
		if l.key < 0 {
			continue
		}
		parent, name := "", l.path
		if i := strings.LastIndexByte(l.path, '.'); i >= 0 {
			parent, name = l.path[:i], l.path[i+1:]
		}
		typ, ok := schema[indexRE.ReplaceAllString(parent, "[]")]
		if !ok {
			continue // inside a policy document
		}
		known := false
		for i := range typ.NumField() {
			tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if strings.EqualFold(tag, name) {
				known = true
				break
			}
		}
		if !known {
			return l, true
		}
	}
	return located{}, false
}

// located is where a value of the document starts, by path.
type located struct {
	path string
	off  int64 // the value's first byte
	key  int64 // the member name's opening quote; -1 for array elements and the root
}

// locate lists every value of a JSON document with its path, in document
// order. It stops at the first syntax error: what it found until then is
// still right.
func locate(data []byte) []located {
	dec := json.NewDecoder(bytes.NewReader(data))
	var out []located
	var walk func(path string, key int64) error
	walk = func(path string, key int64) error {
		start := skipSpace(data, dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		out = append(out, located{path: path, off: start, key: key})
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k := skipSpace(data, dec.InputOffset())
				name, err := dec.Token()
				if err != nil {
					return err
				}
				p, _ := name.(string)
				if path != "" {
					p = path + "." + p
				}
				if err := walk(p, k); err != nil {
					return err
				}
			}
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := walk(fmt.Sprintf("%s[%d]", path, i), -1); err != nil {
					return err
				}
			}
		default:
			return nil
		}
		_, err = dec.Token() // the closing delimiter
		return err
	}
	walk("", -1)
	return out
}

// skipSpace returns the offset of the first byte at or after off that is
// not white space or a separator (the decoder's offset is just past the
// previous token).
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
			continue
		}
		break
	}
	return off
}

// position renders a byte offset as a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line = 1 + bytes.Count(data[:off], []byte("\n"))
	col = int(off) - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}
