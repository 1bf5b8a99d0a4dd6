package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// jkind is the JSON type of a node.
type jkind uint8

const (
	jString jkind = iota
	jNumber
	jBool
	jNull
	jArray
	jObject
)

func (k jkind) String() string {
	return [...]string{"string", "number", "boolean", "null", "array", "object"}[k]
}

// jnode is a JSON value with the byte offset where it starts, so that
// errors can point at it.
type jnode struct {
	kind jkind
	str  string   // string value, number literal, "true"/"false"
	arr  []*jnode // array elements
	obj  []jfield // object members in document order
	off  int
}

// jfield is an object member with the offset of its key.
type jfield struct {
	name string
	off  int
	val  *jnode
}

// maxDepth bounds JSON nesting; policies are at most four levels deep.
const maxDepth = 64

// decodeJSON parses data into a node tree. Duplicate object keys are
// reported as errors at the duplicate.
func decodeJSON(data []byte) (*jnode, error) {
	d := &jdecoder{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	d.dec.UseNumber()
	n, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, &ParseError{Statement: -1, Msg: "unexpected data after the policy document", off: d.start()}
	}
	return n, nil
}

type jdecoder struct {
	data []byte
	dec  *json.Decoder
}

// start returns the offset of the next token: the decoder's offset past
// white space and separators.
func (d *jdecoder) start() int {
	off := int(d.dec.InputOffset())
	for off < len(d.data) {
		switch d.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (d *jdecoder) token() (json.Token, int, error) {
	off := d.start()
	tok, err := d.dec.Token()
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = int(se.Offset)
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, len(d.data), &ParseError{Statement: -1, Msg: "unexpected end of JSON input", off: len(d.data)}
		}
		return nil, off, &ParseError{Statement: -1, Msg: "invalid JSON: " + trimJSONErr(err.Error()), off: off}
	}
	return tok, off, nil
}

func trimJSONErr(s string) string {
	const p = "json: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

func (d *jdecoder) value(depth int) (*jnode, error) {
	tok, off, err := d.token()
	if err != nil {
		return nil, err
	}
	if depth > maxDepth {
		return nil, &ParseError{Statement: -1, Msg: "JSON nested too deeply", off: off}
	}
	switch t := tok.(type) {
	case string:
		return &jnode{kind: jString, str: t, off: off}, nil
	case json.Number:
		return &jnode{kind: jNumber, str: string(t), off: off}, nil
	case bool:
		s := "false"
		if t {
			s = "true"
		}
		return &jnode{kind: jBool, str: s, off: off}, nil
	case nil:
		return &jnode{kind: jNull, off: off}, nil
	case json.Delim:
		switch t {
		case '[':
			n := &jnode{kind: jArray, off: off}
			for d.dec.More() {
				v, err := d.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
			if _, _, err := d.token(); err != nil {
				return nil, err
			}
			return n, nil
		case '{':
			n := &jnode{kind: jObject, off: off}
			for d.dec.More() {
				ktok, koff, err := d.token()
				if err != nil {
					return nil, err
				}
				name, _ := ktok.(string)
				for _, f := range n.obj {
					if f.name == name {
						return nil, &ParseError{Statement: -1, Msg: fmt.Sprintf("duplicate key %q", name), off: koff}
					}
				}
				v, err := d.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.obj = append(n.obj, jfield{name: name, off: koff, val: v})
			}
			if _, _, err := d.token(); err != nil {
				return nil, err
			}
			return n, nil
		}
	}
	return nil, &ParseError{Statement: -1, Msg: fmt.Sprintf("unexpected JSON token %v", tok), off: off}
}

// lineCol converts a byte offset into a 1-based line and column (in characters).
func lineCol(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	line = 1
	ls := 0
	for i := 0; i < off; i++ {
		if data[i] == '\n' {
			line++
			ls = i + 1
		}
	}
	col = 1 + len([]rune(string(data[ls:off])))
	return line, col
}
