package s3api

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
)

// PostForm is what a browser-based POST upload asks of its answer.
type PostForm struct {
	// Status is success_action_status: 200 (empty body), 201 (S3's
	// PostResponse document) or 204 (empty, the default: S3 takes any
	// other value for 204).
	Status int
	// Redirect is success_action_redirect (or the older redirect): a URL
	// S3 sends the browser to (303 See Other) with the bucket, key and
	// ETag in its query, instead of Status. An unparsable one is ignored.
	Redirect string
	// Location is the new object's URL as the client named the bucket.
	Location string
}

// postResponse is S3's answer to a POST upload with
// success_action_status 201.
type postResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// postObject answers a POST upload: the PutObject it stands for, then
// S3's POST answer with its ETag, Location and version headers.
func (h *Handler) postObject(w http.ResponseWriter, req *Request) error {
	rec := &headerRecorder{header: http.Header{}}
	if err := h.putObject(rec, req); err != nil {
		return err
	}
	hdr := w.Header()
	for k, v := range rec.header {
		if k != "Content-Length" {
			hdr[k] = v
		}
	}
	etag := rec.header.Get("ETag")
	p := req.Post
	hdr.Set("Location", p.Location)
	if p.Redirect != "" {
		if u, err := url.Parse(p.Redirect); err == nil && u.Scheme != "" && u.Host != "" {
			// S3 appends the three in this order.
			u.RawQuery = appendQuery(u.RawQuery, "bucket", req.Bucket, "key", req.Key, "etag", etag)
			hdr.Set("Location", u.String())
			hdr.Set("Content-Length", "0")
			w.WriteHeader(http.StatusSeeOther)
			return nil
		}
	}
	switch p.Status {
	case http.StatusCreated:
		doc, err := xml.Marshal(postResponse{Location: p.Location, Bucket: req.Bucket, Key: req.Key, ETag: etag})
		if err != nil {
			return err
		}
		body := append([]byte(xml.Header), doc...)
		hdr.Set("Content-Type", "application/xml")
		hdr.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusCreated)
		_, err = w.Write(body)
		return err
	case http.StatusOK:
		hdr.Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// appendQuery adds name=value pairs to a raw query, in order.
func appendQuery(raw string, kv ...string) string {
	for i := 0; i+1 < len(kv); i += 2 {
		if raw != "" {
			raw += "&"
		}
		raw += url.QueryEscape(kv[i]) + "=" + url.QueryEscape(kv[i+1])
	}
	return raw
}

// headerRecorder keeps the headers and status of a response and drops its
// body: postObject rewrites PutObject's answer.
type headerRecorder struct {
	header http.Header
	status int
}

func (r *headerRecorder) Header() http.Header { return r.header }

func (r *headerRecorder) WriteHeader(status int) { r.status = status }

func (r *headerRecorder) Write(p []byte) (int, error) { return len(p), nil }
