package topoimport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/s3vpce/s3vpce/internal/jsonloc"
)

// The top-level keys of the describe-* outputs the import reads, in the
// order their resources are imported.
const (
	keyVPCs              = "Vpcs"
	keySubnets           = "Subnets"
	keySecurityGroups    = "SecurityGroups"
	keyRouteTables       = "RouteTables"
	keyInternetGateways  = "InternetGateways"
	keyPeerings          = "VpcPeeringConnections"
	keyReservations      = "Reservations"
	keyNetworkInterfaces = "NetworkInterfaces"
	keyVPCEndpoints      = "VpcEndpoints"
	// keyNextToken is in an output cut short with --max-items.
	keyNextToken = "NextToken"
	// keyVPCAttribute files an output of aws ec2 describe-vpc-attribute,
	// which has no top-level array: the whole document is one object,
	// {"VpcId": "vpc-…", "EnableDnsHostnames": {"Value": false}}.
	keyVPCAttribute = "VpcAttribute"
)

// commands names the describe command whose output holds each key.
var commands = map[string]string{
	keyVPCs:              "describe-vpcs",
	keySubnets:           "describe-subnets",
	keySecurityGroups:    "describe-security-groups",
	keyRouteTables:       "describe-route-tables",
	keyInternetGateways:  "describe-internet-gateways",
	keyPeerings:          "describe-vpc-peering-connections",
	keyReservations:      "describe-instances",
	keyNetworkInterfaces: "describe-network-interfaces",
	keyVPCEndpoints:      "describe-vpc-endpoints",
}

// topologyKeys are top-level keys of a topology file.
var topologyKeys = map[string]bool{"account": true, "vpcs": true, "subnets": true, "endpoints": true}

// knownKeys lists the keys for an error message.
func knownKeys() string {
	keys := make([]string, 0, len(commands))
	for k := range commands {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

// Error is a problem with the input: the file, where in it, the element
// at fault as a path in the file's own terms (such as
// "RouteTables[1].Routes[2].DestinationCidrBlock") and what is wrong.
type Error struct {
	File string
	// Line and Col locate the value at fault (1-based, columns in bytes);
	// 0 when not known.
	Line, Col int
	// Path is "" for the document as a whole.
	Path string
	Msg  string
}

// Error renders the error, for example:
//
//	topoimport: vpcs.json: line 7, column 26: Vpcs[0].CidrBlock: "10.0.0.0/33": netip.ParsePrefix("10.0.0.0/33"): bad bits after slash: "33"
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("topoimport: ")
	if e.File != "" {
		b.WriteString(e.File + ": ")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d, column %d: ", e.Line, e.Col)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// elem is one element of a top-level array, such as Vpcs[2]: where it is
// and its text, to decode and to locate errors in.
type elem struct {
	file *File
	// path is its path in the file, e.g. "Vpcs[2]".
	path string
	// off is the offset of its first byte in the file.
	off int64
	raw json.RawMessage
}

// errAt returns an error located at the member sub of the element (a path
// below it such as "Routes[1].GatewayId"; "" for the element itself).
func (e *elem) errAt(sub, format string, args ...any) *Error {
	off := e.off
	path := e.path
	if sub != "" {
		path = joinPath(path, sub)
		for _, l := range jsonloc.Locate(e.raw) {
			if l.Path == sub {
				off = e.off + l.Off
				break
			}
		}
	}
	err := &Error{File: e.file.Name, Path: path, Msg: fmt.Sprintf(format, args...)}
	err.Line, err.Col = jsonloc.Position(e.file.Data, off)
	return err
}

// joinPath is the path of sub below path ("" for a whole document).
func joinPath(path, sub string) string {
	if path == "" {
		return sub
	}
	return path + "." + sub
}

// vpcAttributeKeys are the top-level keys of describe-vpc-attribute
// output: the VPC and the attribute asked for.
var vpcAttributeKeys = map[string]bool{"VpcId": true, "EnableDnsSupport": true, "EnableDnsHostnames": true,
	"EnableNetworkAddressUsageMetrics": true}

// isVPCAttribute reports whether data is the output of aws ec2
// describe-vpc-attribute: an object with a VpcId and no other keys than
// that command's. It cannot be combined with other outputs in one object.
func isVPCAttribute(data []byte) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return false // read reports what is wrong
	}
	if _, ok := top["VpcId"]; !ok {
		return false
	}
	for k := range top {
		if !vpcAttributeKeys[k] {
			return false
		}
	}
	return true
}

// decode decodes the element into v, locating a type error.
func (e *elem) decode(v any) error {
	err := json.Unmarshal(e.raw, v)
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		// The value at fault is the last one that starts before the
		// offset the decoder reports.
		sub := ""
		for _, l := range jsonloc.Locate(e.raw) {
			if l.Off < typ.Offset {
				sub = l.Path
			}
		}
		return e.errAt(sub, "want %s, got JSON %s", goType(typ), typ.Value)
	}
	if err != nil {
		return e.errAt("", "%v", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

func goType(typ *json.UnmarshalTypeError) string {
	switch s := typ.Type.String(); {
	case s == "string":
		return "a string"
	case s == "bool":
		return "true or false"
	case s == "int" || s == "*int":
		return "a number"
	case strings.HasPrefix(s, "[]"):
		return "an array"
	default:
		return "an object"
	}
}

// input is every element of every file, by top-level key, in the order
// of the files and of the elements in each.
type input struct {
	elems    map[string][]*elem
	warnings []Warning
}

// read splits one file into its top-level arrays' elements.
func (in *input) read(f *File) error {
	data := f.Data
	fail := func(off int64, path, format string, args ...any) error {
		e := &Error{File: f.Name, Path: path, Msg: fmt.Sprintf(format, args...)}
		e.Line, e.Col = jsonloc.Position(data, off)
		return e
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	// A Decoder's syntax errors are located relative to the value being
	// decoded; Unmarshal's, which scans the whole document first, in it.
	syntax := func(err error) error {
		var v any
		uerr := json.Unmarshal(data, &v)
		var syn *json.SyntaxError
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
			errors.As(uerr, &syn) && syn.Offset >= int64(len(data)):
			return fail(int64(len(data)), "", "unexpected end of the document")
		case syn != nil:
			return fail(max(syn.Offset-1, 0), "", "%s", strings.TrimPrefix(syn.Error(), "json: "))
		}
		return fail(dec.InputOffset(), "", "%v", strings.TrimPrefix(err.Error(), "json: "))
	}
	start := jsonloc.SkipSpace(data, 0)
	if start == int64(len(data)) {
		return &Error{File: f.Name, Msg: "empty: want the JSON output of an aws ec2 describe-* command"}
	}
	if isVPCAttribute(data) {
		in.elems[keyVPCAttribute] = append(in.elems[keyVPCAttribute], &elem{file: f, off: start, raw: bytes.TrimSpace(data[start:])})
		return nil
	}
	tok, err := dec.Token()
	if err != nil {
		return syntax(err)
	}
	if tok != json.Delim('{') {
		return fail(start, "", "want a JSON object (the output of an aws ec2 describe-* command with --output json), got %s", tokenKind(tok))
	}
	for dec.More() {
		keyOff := jsonloc.SkipSpace(data, dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return syntax(err)
		}
		key, _ := tok.(string)
		valOff := jsonloc.SkipSpace(data, dec.InputOffset())
		if key == keyNextToken {
			var s any
			if err := dec.Decode(&s); err != nil {
				return syntax(err)
			}
			in.warnings = append(in.warnings, Warning{File: f.Name, Msg: "has a NextToken: the output was cut short (--max-items); what the next pages hold is missing"})
			continue
		}
		if _, ok := commands[key]; !ok {
			if topologyKeys[key] {
				return fail(keyOff, key, "unknown top-level key %q: this looks like a topology file, what import writes (s3vpce serve --topology reads it); import reads the output of aws ec2 describe-*", key)
			}
			return fail(keyOff, key, "unknown top-level key %q: want the output of aws ec2 describe-* (keys %s)", key, knownKeys())
		}
		tok, err = dec.Token()
		if err != nil {
			return syntax(err)
		}
		if tok != json.Delim('[') {
			return fail(valOff, key, "want an array, got %s", tokenKind(tok))
		}
		for i := 0; dec.More(); i++ {
			off := jsonloc.SkipSpace(data, dec.InputOffset())
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return syntax(err)
			}
			path := fmt.Sprintf("%s[%d]", key, i)
			if len(raw) == 0 || raw[0] != '{' {
				return fail(off, path, "want an object, got JSON %s", firstWord(raw))
			}
			in.elems[key] = append(in.elems[key], &elem{file: f, path: path, off: off, raw: raw})
		}
		if _, err := dec.Token(); err != nil { // ]
			return syntax(err)
		}
	}
	if _, err := dec.Token(); err != nil { // }
		return syntax(err)
	}
	if after := jsonloc.SkipSpace(data, dec.InputOffset()); after < int64(len(data)) {
		return fail(after, "", "data after the top-level object")
	}
	return nil
}

func tokenKind(tok json.Token) string {
	switch tok.(type) {
	case json.Delim:
		if tok == json.Delim('[') {
			return "an array"
		}
		return "an object"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "true or false"
	}
	return "null"
}

func firstWord(raw []byte) string {
	switch {
	case len(raw) == 0:
		return "nothing"
	case raw[0] == '[':
		return "array"
	case raw[0] == '"':
		return "string"
	case raw[0] == 't' || raw[0] == 'f':
		return "boolean"
	case raw[0] == 'n':
		return "null"
	}
	return "number"
}
