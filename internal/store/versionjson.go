package store

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// encodeVersion is encode(v) for a version record, written out by hand:
// the bytes are exactly what encoding/json produces for *Version (field
// order, omitempty, sorted map keys, base64 for []byte, HTML-safe string
// escapes), without reflection. A PUT encodes one version record; this
// spares the reflection walk and most of its allocations. Anything the fast
// path does not handle byte for byte (a string needing escapes, a time
// encoding/json would refuse) goes through json.Marshal.
func encodeVersion(v *Version) ([]byte, error) {
	b, ok := appendVersion(make([]byte, 0, 256+64*len(v.Body)), v)
	if !ok {
		return encode(v)
	}
	return b, nil
}

// appendVersion appends v's JSON; ok is false when encoding/json would
// refuse it (a time outside years 0-9999).
func appendVersion(b []byte, v *Version) (_ []byte, ok bool) {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, v.VersionID)
	if v.DeleteMarker {
		b = append(b, `,"dm":true`...)
	}
	b = append(b, `,"mtime":"`...)
	b, err := v.LastModified.AppendText(b)
	if err != nil {
		return b, false
	}
	b = append(b, `","size":`...)
	b = strconv.AppendInt(b, v.Size, 10)
	if v.ETag != "" {
		b = append(b, `,"etag":`...)
		b = appendJSONString(b, v.ETag)
	}
	m := &v.ObjectMeta
	if len(m.Metadata) > 0 {
		b = append(b, `,"meta":`...)
		b = appendStringMap(b, m.Metadata)
	}
	if len(m.Headers) > 0 {
		b = append(b, `,"headers":`...)
		b = appendStringMap(b, m.Headers)
	}
	b = append(b, `,"checksum":`...)
	b = appendChecksum(b, &m.Checksum)
	b = appendArray(b, `,"tags":[`, m.Tags, func(b []byte, t *Tag) []byte {
		b = append(b, `{"k":`...)
		b = appendJSONString(b, t.Key)
		b = append(b, `,"v":`...)
		b = appendJSONString(b, t.Value)
		return append(b, '}')
	})
	if len(m.ACL) > 0 {
		b = append(b, `,"acl":`...)
		b = appendBase64(b, m.ACL)
	}
	if m.StorageClass != "" {
		b = append(b, `,"class":`...)
		b = appendJSONString(b, m.StorageClass)
	}
	if m.Owner != "" {
		b = append(b, `,"owner":`...)
		b = appendJSONString(b, m.Owner)
	}
	if len(m.Extra) > 0 {
		b = append(b, `,"extra":{`...)
		var arr [8]string
		for i, k := range sortedKeys(arr[:0], m.Extra) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			if val := m.Extra[k]; val == nil {
				b = append(b, "null"...)
			} else {
				b = appendBase64(b, val)
			}
		}
		b = append(b, '}')
	}
	b = appendArray(b, `,"parts":[`, v.Parts, func(b []byte, p *PartInfo) []byte {
		b = append(b, `{"n":`...)
		b = strconv.AppendInt(b, int64(p.Number), 10)
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, p.Size, 10)
		b = append(b, `,"etag":`...)
		b = appendJSONString(b, p.ETag)
		b = append(b, `,"checksum":`...)
		b = appendChecksum(b, &p.Checksum)
		return append(b, '}')
	})
	b = appendArray(b, `,"body":[`, v.Body, func(b []byte, s *Segment) []byte {
		b = append(b, `{"blob":`...)
		b = appendJSONString(b, s.Blob)
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, s.Size, 10)
		if s.Inline {
			b = append(b, `,"inline":true`...)
		}
		return append(b, '}')
	})
	return append(b, '}'), true
}

// appendArray appends a non-empty omitempty slice field: head (`,"name":[`),
// each element, then ']'.
func appendArray[T any](b []byte, head string, items []T, elem func([]byte, *T) []byte) []byte {
	if len(items) == 0 {
		return b
	}
	b = append(b, head...)
	for i := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = elem(b, &items[i])
	}
	return append(b, ']')
}

// appendChecksum appends a Checksum (always present: omitempty does not
// apply to structs in encoding/json).
func appendChecksum(b []byte, c *Checksum) []byte {
	b = append(b, '{')
	first := true
	for _, f := range [...]struct{ name, val string }{{`"alg":`, c.Algorithm}, {`"value":`, c.Value}, {`"type":`, c.Type}} {
		if f.val == "" {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, f.name...)
		b = appendJSONString(b, f.val)
	}
	return append(b, '}')
}

// appendStringMap appends a non-empty map[string]string with its keys
// sorted, as encoding/json does.
func appendStringMap(b []byte, m map[string]string) []byte {
	b = append(b, '{')
	if len(m) == 1 {
		// The usual case (a Content-Type alone): nothing to sort.
		for k, v := range m {
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, v)
		}
		return append(b, '}')
	}
	var arr [8]string
	for i, k := range sortedKeys(arr[:0], m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, m[k])
	}
	return append(b, '}')
}

// sortedKeys appends m's keys to dst, sorted.
func sortedKeys[V any](dst []string, m map[string]V) []string {
	for k := range m {
		dst = append(dst, k)
	}
	slices.Sort(dst)
	return dst
}

func appendBase64(b []byte, p []byte) []byte {
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, p)
	return append(b, '"')
}

// appendJSONString appends s quoted when it needs no escape in
// encoding/json (printable ASCII other than `"`, `\`, `<`, `>`, `&`);
// otherwise it defers to encoding/json for the exact escapes.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // cannot fail for a string
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
