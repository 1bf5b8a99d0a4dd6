package ec2api

import "encoding/xml"

// Meta is the start of every EC2 response document: the namespace and the
// request ID. Embed it first in a response struct:
//
//	type fooResponse struct {
//		XMLName xml.Name `xml:"FooResponse"`
//		Meta
//		…
//	}
type Meta struct {
	Xmlns     string `xml:"xmlns,attr"`
	RequestID string `xml:"requestId"`
}

// NewMeta is the Meta of req's response.
func NewMeta(req *Request) Meta { return Meta{Xmlns: Namespace, RequestID: req.RequestID} }

// ItemSet is a list of strings in EC2's XML shape. Use it as a field tagged
// with the set's name (`xml:"subnetIdSet"`): it marshals as
// <subnetIdSet><item>…</item></subnetIdSet>, and as an empty element when
// empty, as EC2 sends it.
type ItemSet []string

// MarshalXML writes the set as start with one <item> per string.
func (s ItemSet) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalItems(e, start, s)
}

// marshalItems writes start, each element of items as <item>, and the end.
func marshalItems[T any](e *xml.Encoder, start xml.StartElement, items []T) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	item := xml.StartElement{Name: xml.Name{Local: "item"}}
	for _, v := range items {
		if err := e.EncodeElement(v, item); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}
