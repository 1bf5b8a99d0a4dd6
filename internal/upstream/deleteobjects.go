package upstream

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"

	"github.com/s3vpce/s3vpce/internal/s3api"
)

// MaxDeleteKeys is the most keys one DeleteObjects request may name.
const MaxDeleteKeys = s3api.MaxDeleteKeys

// DeleteEntry is one key (and optional version) of a DeleteObjects
// request.
type DeleteEntry = s3api.ObjectIdentifier

// deleteDoc is the <Delete> document written to the upstream: s3api's,
// with S3's namespace.
type deleteDoc struct {
	XMLName xml.Name      `xml:"Delete"`
	Xmlns   string        `xml:"xmlns,attr,omitempty"`
	Objects []DeleteEntry `xml:"Object"`
	Quiet   bool          `xml:"Quiet,omitempty"`
}

// ErrMalformedDelete is returned for a DeleteObjects body that is not a
// <Delete> document of 1 to MaxDeleteKeys keys.
var ErrMalformedDelete = errors.New("upstream: malformed DeleteObjects body")

// ParseDelete reads a DeleteObjects request body.
func ParseDelete(doc []byte) (quiet bool, objects []DeleteEntry, err error) {
	var d s3api.DeleteRequest
	if err := xml.Unmarshal(doc, &d); err != nil {
		return false, nil, fmt.Errorf("%w: %v", ErrMalformedDelete, err)
	}
	if !d.Valid() {
		return false, nil, fmt.Errorf("%w: %d keys", ErrMalformedDelete, len(d.Objects))
	}
	return d.Quiet, d.Objects, nil
}

// EncodeDelete writes a DeleteObjects request body.
func EncodeDelete(quiet bool, objects []DeleteEntry) []byte {
	out, err := xml.Marshal(deleteDoc{Xmlns: s3Namespace, Objects: objects, Quiet: quiet})
	if err != nil { // cannot happen for these types
		panic(err)
	}
	return append([]byte(xml.Header), out...)
}

const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// DeniedEntry is a key s3vpce refused, reported as an <Error> entry of
// the DeleteResult.
type DeniedEntry struct {
	DeleteEntry
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

type deleteResultDoc struct {
	XMLName xml.Name      `xml:"DeleteResult"`
	Xmlns   string        `xml:"xmlns,attr,omitempty"`
	Errors  []DeniedEntry `xml:"Error"`
}

// EncodeDeleteResult writes a DeleteResult of denied entries alone: the
// answer when s3vpce refused every key and nothing was forwarded.
func EncodeDeleteResult(denied []DeniedEntry) []byte {
	out, err := xml.Marshal(deleteResultDoc{Xmlns: s3Namespace, Errors: denied})
	if err != nil { // cannot happen for these types
		panic(err)
	}
	return append([]byte(xml.Header), out...)
}

// MergeDeleteResult adds denied entries to an upstream's DeleteResult
// document, at the end of its root element (which may be empty and
// self-closing, as in quiet mode); the upstream's entries are kept as
// they are. A document that is not a DeleteResult is an error.
func MergeDeleteResult(result []byte, denied []DeniedEntry) ([]byte, error) {
	var probe struct {
		XMLName xml.Name `xml:"DeleteResult"`
	}
	if err := xml.Unmarshal(result, &probe); err != nil {
		return nil, fmt.Errorf("upstream: DeleteObjects result: %w", err)
	}
	if len(denied) == 0 {
		return result, nil
	}
	start, end, selfClosing, err := rootEnd(result)
	if err != nil {
		return nil, err
	}
	var add bytes.Buffer
	enc := xml.NewEncoder(&add)
	for _, d := range denied {
		if err := enc.EncodeElement(d, xml.StartElement{Name: xml.Name{Local: "Error"}}); err != nil {
			return nil, fmt.Errorf("upstream: DeleteObjects result: %w", err)
		}
	}
	out := make([]byte, 0, len(result)+add.Len()+32)
	if !selfClosing {
		out = append(out, result[:end]...)
		out = append(out, add.Bytes()...)
		return append(out, result[end:]...), nil
	}
	// <DeleteResult …/>: open it, add the entries, close it.
	tag := result[start:end]
	name := tag[1:]
	if i := bytes.IndexAny(name, " \t\r\n/"); i >= 0 {
		name = name[:i]
	}
	out = append(out, result[:end-2]...)
	out = append(out, '>')
	out = append(out, add.Bytes()...)
	out = append(out, "</"...)
	out = append(out, name...)
	out = append(out, '>')
	return append(out, result[end:]...), nil
}

// rootEnd finds where the root element of doc ends: end is the offset of
// its end tag, or, for a self-closing root, the offset just past "/>"
// with start the offset of its start tag.
func rootEnd(doc []byte) (start, end int, selfClosing bool, err error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	depth := 0
	for {
		before := int(d.InputOffset())
		tok, err := d.RawToken()
		if err != nil {
			return 0, 0, false, fmt.Errorf("upstream: DeleteObjects result: %w", err)
		}
		after := int(d.InputOffset())
		switch tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				start = before
			}
			depth++
			if bytes.HasSuffix(doc[before:after], []byte("/>")) {
				// Go reports a self-closing element as a start and an end at
				// the same offset: take the end now.
				if _, err := d.RawToken(); err != nil {
					return 0, 0, false, fmt.Errorf("upstream: DeleteObjects result: %w", err)
				}
				depth--
				if depth == 0 {
					return start, after, true, nil
				}
			}
		case xml.EndElement:
			depth--
			if depth == 0 {
				return start, before, false, nil
			}
		}
	}
}
