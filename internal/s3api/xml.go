package s3api

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3err"
)

// xmlns is the namespace of S3's XML documents.
const xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"

// maxDocument bounds an XML request document (a configuration, a tag set,
// CompleteMultipartUpload's part list): far above any valid one.
const maxDocument = 4 << 20

// s3Time formats t as S3 does in XML documents (always milliseconds).
func s3Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// owner is the Owner (or Initiator) element of S3's documents. S3 stopped
// returning DisplayName on 21 November 2025: it is left out when empty.
type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName,omitempty"`
}

// readXML decodes the request's XML document, at most limit bytes, into
// v: S3's MalformedXML when it is empty, longer or not such a document.
func readXML(r *http.Request, limit int64, v any) *s3err.Error {
	doc, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return BodyReadError(err)
	}
	if serr := checkDocumentMD5(r.Header, doc); serr != nil { // checksums.go
		return serr
	}
	if len(doc) == 0 || int64(len(doc)) > limit || xml.Unmarshal(doc, v) != nil {
		return s3err.MalformedXML()
	}
	return nil
}

// writeXML writes v as a 200 response (no body for HEAD). Quotes come out
// as &quot;, as in S3's own documents (ETags).
func writeXML(w http.ResponseWriter, r *http.Request, v any) error {
	out, err := xml.Marshal(v)
	if err != nil {
		return fmt.Errorf("s3api: encoding %T: %w", v, err)
	}
	out = bytes.ReplaceAll(out, []byte("&#34;"), []byte("&quot;"))
	out = append([]byte(xml.Header), out...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(out)
	}
	return nil
}
