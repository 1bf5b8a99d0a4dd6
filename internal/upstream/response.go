package upstream

import (
	"bytes"
	"encoding/xml"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"

	"github.com/s3vpce/s3vpce/internal/s3err"
)

// Response headers that name the upstream's request: s3vpce sends its
// own IDs and moves the upstream's here.
const (
	HeaderUpstreamRequestID = "X-S3vpce-Upstream-Request-Id"
	HeaderUpstreamID2       = "X-S3vpce-Upstream-Id-2"
)

// maxErrorBody bounds an upstream error document read whole to put
// s3vpce's RequestId in it; a larger one streams through unchanged.
const maxErrorBody = 64 << 10

// responseDropped are the upstream's response headers not passed on.
var responseDropped = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding",
	"Upgrade", "X-Amz-Request-Id", "X-Amz-Id-2"}

// copyBufSize is the size of the buffers responses are copied back
// through.
const copyBufSize = 64 << 10

// smallRead is the size under which a read from the upstream is flushed
// to the client at once: a trickle, not a stream the connection's own
// writes keep moving.
const smallRead = 4 << 10

// WriteResponse streams resp to w unchanged but for what the endpoint
// layer owns: x-amz-request-id and x-amz-id-2 are s3vpce's (the
// upstream's move to HeaderUpstreamRequestID and HeaderUpstreamID2), and
// in an S3 XML error document RequestId and HostId are s3vpce's.
func (f *Forwarder) WriteResponse(w http.ResponseWriter, r *http.Request, resp *http.Response, requestID, hostID string) {
	h := w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	for _, k := range responseDropped {
		delete(h, k)
	}
	if v := resp.Header.Get("X-Amz-Request-Id"); v != "" {
		h.Set(HeaderUpstreamRequestID, v)
	}
	if v := resp.Header.Get("X-Amz-Id-2"); v != "" {
		h.Set(HeaderUpstreamID2, v)
	}
	h.Set("X-Amz-Request-Id", requestID)
	h.Set("X-Amz-Id-2", hostID)
	body := io.Reader(resp.Body)
	if isErrorDocument(resp) && r.Method != http.MethodHead {
		doc, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody+1))
		if err == nil && len(doc) <= maxErrorBody {
			doc, code := RewriteErrorIDs(doc, requestID, hostID)
			noteError(w, resp.StatusCode, code)
			h.Set("Content-Length", strconv.Itoa(len(doc)))
			w.WriteHeader(resp.StatusCode)
			w.Write(doc)
			return
		}
		body = io.MultiReader(bytes.NewReader(doc), resp.Body)
	}
	w.WriteHeader(resp.StatusCode)
	if r.Method == http.MethodHead {
		return
	}
	f.copyFlushing(w, body)
}

// copyFlushing copies src to w with a pooled buffer, flushing whenever
// the upstream pauses so that a slow stream reaches the client as it
// comes.
func (f *Forwarder) copyFlushing(w http.ResponseWriter, src io.Reader) {
	bp := f.bufs.Get().(*[]byte)
	defer f.bufs.Put(bp)
	buf := *bp
	rc := http.NewResponseController(w)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			if n < smallRead {
				rc.Flush()
			}
		}
		if err != nil {
			return
		}
	}
}

// isErrorDocument reports whether resp carries a small S3 XML error.
func isErrorDocument(resp *http.Response) bool {
	if resp.StatusCode < 300 || resp.StatusCode == http.StatusNotModified || resp.ContentLength > maxErrorBody {
		return false
	}
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return err == nil && (mt == "application/xml" || mt == "text/xml")
}

var (
	requestIDElem = regexp.MustCompile(`<RequestId>[^<]*</RequestId>`)
	hostIDElem    = regexp.MustCompile(`<HostId>[^<]*</HostId>`)
)

// RewriteErrorIDs puts s3vpce's IDs in an S3 error document's RequestId
// and HostId and returns it with its Code ("" when doc is no S3 error).
// Code, Message and the rest pass through.
func RewriteErrorIDs(doc []byte, requestID, hostID string) ([]byte, string) {
	var e s3err.Error // Code and Message by field name
	if rootElement(doc) != "Error" || xml.Unmarshal(doc, &e) != nil {
		return doc, ""
	}
	doc = requestIDElem.ReplaceAllLiteral(doc, []byte("<RequestId>"+xmlEscape(requestID)+"</RequestId>"))
	doc = hostIDElem.ReplaceAllLiteral(doc, []byte("<HostId>"+xmlEscape(hostID)+"</HostId>"))
	return doc, e.Code
}

// rootElement is the name of doc's root element; "" when it has none.
func rootElement(doc []byte) string {
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// noteError tells a request log on the way to the connection the S3
// error code the upstream answered (see s3err.Noter).
func noteError(w http.ResponseWriter, status int, code string) {
	if code == "" {
		return
	}
	for u := w; u != nil; {
		if n, ok := u.(s3err.Noter); ok {
			n.NoteS3Error(s3err.New(status, code, ""))
			return
		}
		uw, ok := u.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return
		}
		u = uw.Unwrap()
	}
}
