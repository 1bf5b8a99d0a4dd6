package upstream

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
)

// MaxDeleteKeys is the most keys one DeleteObjects request may name.
const MaxDeleteKeys = 1000

// DeleteEntry is one key (and optional version) of a DeleteObjects
// request.
type DeleteEntry struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
}

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
	var d deleteDoc
	if err := xml.Unmarshal(doc, &d); err != nil {
		return false, nil, fmt.Errorf("%w: %v", ErrMalformedDelete, err)
	}
	if len(d.Objects) == 0 || len(d.Objects) > MaxDeleteKeys {
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
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
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
// document, before its closing tag; the upstream's entries are kept as
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
	end := bytes.LastIndex(result, []byte("</"))
	if end < 0 || !closesDeleteResult(result[end:]) {
		return nil, errors.New("upstream: DeleteObjects result does not end with </DeleteResult>")
	}
	var add bytes.Buffer
	enc := xml.NewEncoder(&add)
	for _, d := range denied {
		if err := enc.EncodeElement(d, xml.StartElement{Name: xml.Name{Local: "Error"}}); err != nil {
			return nil, fmt.Errorf("upstream: DeleteObjects result: %w", err)
		}
	}
	out := make([]byte, 0, len(result)+add.Len())
	out = append(out, result[:end]...)
	out = append(out, add.Bytes()...)
	return append(out, result[end:]...), nil
}

// closesDeleteResult reports whether tail is "</DeleteResult>" or
// "</prefix:DeleteResult>", possibly followed by white space.
func closesDeleteResult(tail []byte) bool {
	tail = bytes.TrimRight(tail, " \t\r\n")
	if !bytes.HasSuffix(tail, []byte("DeleteResult>")) {
		return false
	}
	name := tail[2 : len(tail)-1]
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return string(name) == "DeleteResult"
}
