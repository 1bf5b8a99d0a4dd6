package vpce

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/jsonloc"
)

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
		for _, l := range jsonloc.Locate(data) {
			if l.Off < typ.Offset {
				path, off = l.Path, l.Off
			}
		}
		return at(data, nil, path, off, fmt.Sprintf("want %s, got JSON %s", typeName(typ), typ.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		path, off := "", dec.InputOffset()
		if l, ok := firstUnknown(jsonloc.Locate(data)); ok {
			path, off = l.Path, l.Key
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
func at(data []byte, loc []jsonloc.Value, path string, off int64, msg string) *TopologyError {
	if off < 0 {
		for _, l := range loc {
			if l.Path == path {
				off = l.Off
				break
			}
		}
	}
	e := &TopologyError{Path: path, Msg: msg}
	if off >= 0 {
		e.Line, e.Col = jsonloc.Position(data, off)
	}
	return e
}

// schema maps the path of each object in a topology file, with array
// indices as [], to the Go type it decodes into.
var schema = map[string]reflect.Type{
	"":                            reflect.TypeFor[topologyFile](),
	"vpcs[]":                      reflect.TypeFor[vpcFile](),
	"subnets[]":                   reflect.TypeFor[subnetFile](),
	"security_groups[]":           reflect.TypeFor[groupFile](),
	"security_groups[].ingress[]": reflect.TypeFor[ruleFile](),
	"security_groups[].egress[]":  reflect.TypeFor[ruleFile](),
	"route_tables[]":              reflect.TypeFor[routeTableFile](),
	"route_tables[].routes[]":     reflect.TypeFor[routeFile](),
	"internet_gateways[]":         reflect.TypeFor[igwFile](),
	"peerings[]":                  reflect.TypeFor[peeringFile](),
	"instances[]":                 reflect.TypeFor[instanceFile](),
	"gateway_endpoints[]":         reflect.TypeFor[gatewayFile](),
	"endpoints[]":                 reflect.TypeFor[endpointFile](),
	"endpoints[].zones[]":         reflect.TypeFor[zoneFile](),
}

var indexRE = regexp.MustCompile(`\[[0-9]+\]`)

// firstUnknown returns the first member, in document order, that its
// object's type has no field for (matched without case, as encoding/json
// does).
func firstUnknown(loc []jsonloc.Value) (jsonloc.Value, bool) {
	for _, l := range loc {
		if l.Key < 0 {
			continue
		}
		parent, name := "", l.Path
		if i := strings.LastIndexByte(l.Path, '.'); i >= 0 {
			parent, name = l.Path[:i], l.Path[i+1:]
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
	return jsonloc.Value{}, false
}
