package emulator

import (
	"bytes"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"net/http"
	"time"
)

// requestLog watches one exchange for its log line: the request's method,
// Host and path, and the response's status, size, S3 error code and
// duration.
type requestLog struct {
	http.ResponseWriter
	method, host, path string
	start              time.Time
	status             int
	bytes              int64
	code               string // the <Code> of an error body
}

// startRequestLog wraps w; the handler writes through the returned writer.
func startRequestLog(w http.ResponseWriter, r *http.Request) *requestLog {
	l := newRequestLog(w, r)
	return &l
}

// newRequestLog is startRequestLog's writer, to keep inside a larger
// allocation (exchange).
func newRequestLog(w http.ResponseWriter, r *http.Request) requestLog {
	return requestLog{ResponseWriter: w, method: r.Method, host: r.Host, path: r.URL.EscapedPath(), start: time.Now()}
}

func (l *requestLog) WriteHeader(code int) {
	if l.status == 0 {
		l.status = code
	}
	l.ResponseWriter.WriteHeader(code)
}

func (l *requestLog) Write(p []byte) (int, error) {
	if l.status == 0 {
		l.status = http.StatusOK
	}
	if l.status >= 300 && l.code == "" && l.bytes == 0 {
		l.code = errorCode(p)
	}
	n, err := l.ResponseWriter.Write(p)
	l.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (l *requestLog) Unwrap() http.ResponseWriter { return l.ResponseWriter }

// NoteS3Error notes the S3 code of an error response (s3err.Write calls
// it: a HEAD response has no body to read the code from).
func (l *requestLog) NoteS3Error(e *s3err.Error) { l.code = e.Code }

// attrs are the log attributes of the exchange; code is the S3 error code
// when the caller knows it (a HEAD error has no body to read it from).
func (l *requestLog) attrs(code string) []any {
	if code == "" {
		code = l.code
	}
	status := l.status
	if status == 0 {
		status = http.StatusOK
	}
	a := []any{"method", l.method, "host", l.host, "path", l.path, "status", status}
	if code != "" {
		a = append(a, "code", code)
	}
	return append(a, "bytes", l.bytes, "duration", time.Since(l.start).Round(time.Microsecond).String())
}

// errorCode is the <Code> of an S3 XML error body's first write.
func errorCode(p []byte) string {
	p = p[:min(len(p), 1024)]
	_, rest, ok := bytes.Cut(p, []byte("<Code>"))
	if !ok {
		return ""
	}
	code, _, ok := bytes.Cut(rest, []byte("</Code>"))
	if !ok {
		return ""
	}
	return string(code)
}
