package s3api

import (
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/s3vpce/s3vpce/internal/s3err"
)

// Error is the one S3 error type (s3err.Error).
type Error = s3err.Error

// ExtraElement is one additional child element of an S3 <Error>.
type ExtraElement = s3err.Element

// WriteError writes e through the one error writer (s3err.Write), which
// takes the request and host IDs from r's context.
func WriteError(w http.ResponseWriter, r *http.Request, e *Error) { s3err.Write(w, r, e) }

// WriteXML writes a 200 response with an XML body.
func WriteXML(w http.ResponseWriter, r *http.Request, v any) {
	out, err := xml.Marshal(v)
	if err != nil {
		WriteError(w, r, s3err.Internal())
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
