// Package s3err is the one S3 error type of s3vpce and its one writer.
// Every package that refuses a request in S3's terms (signature checks,
// aws-chunked decoding, the policy gate, the S3 operations) returns an
// *Error; the emulator writes it with Write, which adds the request ID and
// host ID S3 puts in every error.
package s3err

import (
	"context"
	"encoding/xml"
	"net/http"
	"strconv"
)

// Error is an S3 error response.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Code and Message are S3's <Code> and <Message>.
	Code, Message string
	// Resource is S3's <Resource>; Write fills in the request path when
	// empty.
	Resource string
	// Extra are the other child elements S3 sends for some codes
	// (BucketName, Key, Condition, StringToSign, HeadersNotSigned, ...), in
	// order.
	Extra []Element
	// Header holds response headers S3 sends with this error, such as
	// x-amz-delete-marker for a key whose current version is a marker.
	Header map[string]string
}

// Element is one child element of <Error>.
type Element struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// New returns an error with a status, code and message.
func New(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// Error implements error.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// With appends an element and returns e.
func (e *Error) With(name, value string) *Error {
	e.Extra = append(e.Extra, Element{XMLName: xml.Name{Local: name}, Value: value})
	return e
}

// Elem returns the value of the first element named name ("" if none).
func (e *Error) Elem(name string) string {
	for _, el := range e.Extra {
		if el.XMLName.Local == name {
			return el.Value
		}
	}
	return ""
}

// Internal is S3's 500 InternalError.
func Internal() *Error {
	return New(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
}

// MalformedXML is S3's answer to a request body that does not parse.
func MalformedXML() *Error {
	return New(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
}

// Marshal returns e's XML body with requestID and hostID (xml header
// included).
func (e *Error) Marshal(resource, requestID, hostID string) []byte {
	if e.Resource != "" {
		resource = e.Resource
	}
	type body struct {
		XMLName   xml.Name  `xml:"Error"`
		Code      string    `xml:"Code"`
		Message   string    `xml:"Message"`
		Resource  string    `xml:"Resource,omitempty"`
		Extra     []Element `xml:",any"`
		RequestID string    `xml:"RequestId"`
		HostID    string    `xml:"HostId"`
	}
	b := body{Code: e.Code, Message: e.Message, Resource: resource, Extra: e.Extra, RequestID: requestID, HostID: hostID}
	out, err := xml.Marshal(b)
	if err != nil { // cannot happen for these types
		out = []byte("<Error><Code>InternalError</Code></Error>")
	}
	return append([]byte(xml.Header), out...)
}

// Noter is implemented by response writers that want to know the error
// Write sends (a request log). Not for HEAD: S3's HEAD errors have no body,
// so no code to log.
type Noter interface {
	NoteS3Error(e *Error)
}

// ids are a request's x-amz-request-id and x-amz-id-2.
type ids struct{ request, host string }

type idsKey struct{}

// WithRequestID returns a context carrying the request's IDs, which Write
// puts in the error body and headers.
func WithRequestID(ctx context.Context, requestID, hostID string) context.Context {
	return context.WithValue(ctx, idsKey{}, ids{requestID, hostID})
}

// WithRequestIDs is WithRequestID for the IDs in *both (request ID, then
// host ID), which must not change afterwards: the context keeps the
// pointer, so the IDs are not copied into an allocation of their own.
func WithRequestIDs(ctx context.Context, both *[2]string) context.Context {
	return context.WithValue(ctx, idsKey{}, both)
}

// RequestID returns the IDs WithRequestID or WithRequestIDs stored in ctx.
func RequestID(ctx context.Context) (requestID, hostID string) {
	switch v := ctx.Value(idsKey{}).(type) {
	case ids:
		return v.request, v.host
	case *[2]string:
		return v[0], v[1]
	}
	return "", ""
}

// Write writes e as S3 does: the XML body (none for HEAD), Content-Type,
// Content-Length, and x-amz-request-id / x-amz-id-2 equal to the body's
// RequestId and HostId (from r's context, see WithRequestID).
func Write(w http.ResponseWriter, r *http.Request, e *Error) {
	requestID, hostID := RequestID(r.Context())
	WriteBody(w, r, e, e.Marshal(r.URL.Path, requestID, hostID), requestID, hostID)
}

// WriteBody writes e with body, an error document already rendered in
// the shape the API calls for (S3's <Error>, or S3 Control's
// <ErrorResponse>): e's headers, Content-Type, Content-Length, the request
// IDs, e's status, and the body unless r is a HEAD. A Noter on the way to
// the connection is told e.
func WriteBody(w http.ResponseWriter, r *http.Request, e *Error, body []byte, requestID, hostID string) {
	h := w.Header()
	for k, v := range e.Header {
		h.Set(k, v)
	}
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-amz-request-id", requestID)
	h.Set("x-amz-id-2", hostID)
	h.Set("Server", "AmazonS3")
	for u := w; u != nil && r.Method != http.MethodHead; {
		if n, ok := u.(Noter); ok {
			n.NoteS3Error(e)
			break
		}
		uw, ok := u.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		u = uw.Unwrap()
	}
	status := e.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
