// Package jsonloc locates the values of a JSON document by path
// ("endpoints[0].zones[1].ip"), so that an error about a field can name
// its line and column.
package jsonloc

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Value is where a value of a document starts, by path.
type Value struct {
	Path string
	// Off is the offset of the value's first byte.
	Off int64
	// Key is the offset of the member name's opening quote; -1 for array
	// elements and the root.
	Key int64
}

// Locate lists every value of a JSON document with its path, in document
// order. It stops at the first syntax error: what it found until then is
// still right.
func Locate(data []byte) []Value {
	dec := json.NewDecoder(bytes.NewReader(data))
	var out []Value
	var walk func(path string, key int64) error
	walk = func(path string, key int64) error {
		start := SkipSpace(data, dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		out = append(out, Value{Path: path, Off: start, Key: key})
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k := SkipSpace(data, dec.InputOffset())
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

// SkipSpace returns the offset of the first byte at or after off that is
// not white space or a separator (a Decoder's offset is just past the
// previous token).
func SkipSpace(data []byte, off int64) int64 {
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

// Position renders a byte offset as a 1-based line and column (in bytes);
// offsets outside data are clamped to it.
func Position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	line = 1 + bytes.Count(data[:off], []byte("\n"))
	col = int(off) - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}
