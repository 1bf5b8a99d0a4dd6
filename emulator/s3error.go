package emulator

import (
	"encoding/xml"
	"net/http"
	"strconv"
)

// s3Error is an S3 error response body.
type s3Error struct {
	XMLName  xml.Name `xml:"Error"`
	Code     string   `xml:"Code"`
	Message  string   `xml:"Message"`
	Resource string   `xml:"Resource,omitempty"`
	// Region is set for a request signed for the wrong region.
	Region string `xml:"Region,omitempty"`
	// The SignatureDoesNotMatch details S3 returns.
	AWSAccessKeyID        string `xml:"AWSAccessKeyId,omitempty"`
	StringToSign          string `xml:"StringToSign,omitempty"`
	SignatureProvided     string `xml:"SignatureProvided,omitempty"`
	StringToSignBytes     string `xml:"StringToSignBytes,omitempty"`
	CanonicalRequest      string `xml:"CanonicalRequest,omitempty"`
	CanonicalRequestBytes string `xml:"CanonicalRequestBytes,omitempty"`
	// Extra keeps the other elements an error carries (Condition,
	// ActualObjectSize, BucketName…) when the front end rewrites a body.
	Extra     []extraElement `xml:",any"`
	RequestID string         `xml:"RequestId"`
	HostID    string         `xml:"HostId"`
	status    int
}

// extraElement is one child element of <Error> with no field of its own.
type extraElement struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

func (e *s3Error) Error() string { return e.Code + ": " + e.Message }

// writeS3Error writes e as S3 does: XML body, x-amz-request-id and
// x-amz-id-2 headers equal to the body's RequestId and HostId.
func writeS3Error(w http.ResponseWriter, r *http.Request, reqID string, e *s3Error) {
	e.RequestID = reqID
	e.HostID = hostID(reqID)
	if e.Resource == "" {
		e.Resource = r.URL.Path
	}
	body, err := xml.Marshal(e)
	if err != nil { // cannot happen for this type
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	body = append([]byte(xml.Header), body...)
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-amz-request-id", e.RequestID)
	h.Set("x-amz-id-2", e.HostID)
	h.Set("Server", "AmazonS3")
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
