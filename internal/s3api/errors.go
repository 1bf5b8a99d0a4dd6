package s3api

import (
	"encoding/xml"
	"net/http"
	"strconv"
)

// Error is an S3 error response.
type Error struct {
	Status   int    `xml:"-"`
	Code     string `xml:"Code"`
	Message  string `xml:"Message"`
	Resource string `xml:"Resource,omitempty"`
	// Extra elements S3 adds for some codes (e.g. BucketName, Key,
	// ActualObjectSize, RangeRequested, MinSizeAllowed, ProposedSize,
	// PartNumber, ETag, Condition), in order.
	Extra []ExtraElement `xml:",any"`
	// Header holds response headers S3 sends with this error, such as
	// x-amz-delete-marker and x-amz-version-id for a deleted key.
	Header map[string]string `xml:"-"`
}

// ExtraElement is one additional child element of an S3 <Error>.
type ExtraElement struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// WriteError writes e as S3's XML error body. The emulator fills in
// RequestId and HostId (and the x-amz-request-id header) on the way out.
func WriteError(w http.ResponseWriter, r *http.Request, e *Error) {
	type body struct {
		XMLName xml.Name `xml:"Error"`
		*Error
	}
	if e.Resource == "" {
		e.Resource = r.URL.Path
	}
	out, err := xml.Marshal(body{Error: e})
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	out = append([]byte(xml.Header), out...)
	for k, v := range e.Header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(e.Status)
	if r.Method != http.MethodHead {
		w.Write(out)
	}
}

// WriteXML writes a 200 response with an XML body.
func WriteXML(w http.ResponseWriter, r *http.Request, v any) {
	out, err := xml.Marshal(v)
	if err != nil {
		WriteError(w, r, &Error{Status: http.StatusInternalServerError, Code: "InternalError", Message: "We encountered an internal error. Please try again."})
		return
	}
	out = append([]byte(xml.Header), out...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(out)
	}
}
