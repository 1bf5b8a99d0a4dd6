package emulator

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3err"

	"github.com/s3vpce/s3vpce/internal/s3api"
)

// Connection and request timeouts, modelled on S3 and on production Go
// servers. Options override each; see Options for what zero and negative
// values mean.
const (
	// DefaultReadHeaderTimeout bounds the TLS handshake plus the request
	// line and headers of each request (net/http applies ReadHeaderTimeout
	// to the handshake too). S3 waits about 20 s for a stalled request;
	// a client that has a connection sends its headers in one write.
	DefaultReadHeaderTimeout = 20 * time.Second
	// DefaultIdleTimeout is how long a keep-alive connection may wait for
	// its next request. It is longer than the idle-pool timeouts of the
	// SDKs (aws-sdk-go-v2 and net/http: 90 s), so a client closes an idle
	// connection before the server does and never races a request against
	// the server's close.
	DefaultIdleTimeout = 2 * time.Minute
	// DefaultRequestTimeout is how long a request body or a response may
	// make no progress: S3 answers 400 RequestTimeout after about 20 s
	// without a byte of the body, and drops a client that stops reading.
	// Progress resets it, so slow large transfers are not cut off.
	DefaultRequestTimeout = 20 * time.Second
)

// durationOption resolves an Options duration: zero is def, negative is
// none (0 to net/http and to progressHandler).
func durationOption(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// isTimeout reports whether err is a read or write deadline firing.
func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// progressDeadline is an idle deadline on one direction of a connection:
// each touch pushes it timeout ahead, at most once per every, so the cost
// per Read or Write is one clock read.
type progressDeadline struct {
	conn    connDeadlines
	read    bool // the read deadline; otherwise the write deadline
	timeout time.Duration
	every   time.Duration
	next    time.Time // touch pushes the deadline again from this instant
}

func newProgressDeadline(conn connDeadlines, read bool, timeout time.Duration) progressDeadline {
	return progressDeadline{conn: conn, read: read, timeout: timeout, every: min(time.Second, timeout/10)}
}

// set sets the deadline; an interface call rather than a stored method
// value, which would be an allocation per request and direction.
func (d *progressDeadline) set(t time.Time) error {
	if d.read {
		return d.conn.SetReadDeadline(t)
	}
	return d.conn.SetWriteDeadline(t)
}

func (d *progressDeadline) touch() {
	now := time.Now()
	if now.Before(d.next) {
		return
	}
	d.set(now.Add(d.timeout)) // ErrNotSupported: nothing to bound
	d.next = now.Add(d.every)
}

// clear removes the deadline.
func (d *progressDeadline) clear() {
	d.set(time.Time{})
	d.next = time.Time{}
}

// progressHandler applies the minimum-progress rule to each request on the
// emulator's listeners: a request body that delivers no byte for timeout
// ends in 400 RequestTimeout (whichever handler was reading it), and a
// response the client stops reading for timeout fails its write, which
// ends the handler and closes the connection. It sits outside Server's
// ServeHTTP, so Handler() embedded in another server keeps that server's
// connection policy.
type progressHandler struct {
	next    http.Handler
	timeout time.Duration
	log     *slog.Logger
}

func (h progressHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.timeout <= 0 {
		h.next.ServeHTTP(w, r)
		return
	}
	conn, ok := w.(connDeadlines) // net/http's own writer: no controller to allocate and unwrap
	if !ok {
		conn = http.NewResponseController(w)
	}
	ex := &progressExchange{pw: progressWriter{ResponseWriter: w, r: r, write: newProgressDeadline(conn, false, h.timeout)}}
	pw := &ex.pw
	if r.ContentLength != 0 { // a body, of known length or chunked
		ex.body = progressBody{ReadCloser: r.Body, read: newProgressDeadline(conn, true, h.timeout)}
		// Armed now, not at the first Read: net/http discards a body the
		// handler leaves unread before it answers, and a Content-Length
		// lie would otherwise hold that discard forever.
		ex.body.read.touch()
		pw.body = &ex.body
		r = r.WithContext(r.Context()) // net/http keeps its own *Request and body
		r.Body = pw.body
	}
	h.next.ServeHTTP(pw, r)
	if pw.body != nil && pw.body.timedOut.Load() {
		if !pw.wroteHeader && !pw.replaced {
			pw.writeRequestTimeout()
		}
		h.log.Info("request timeout: the client stopped sending the request body",
			"request_id", headerValue(pw.Header(), hdrRequestID), "source", r.RemoteAddr, "timeout", h.timeout.String())
	}
	if pw.writeTimedOut {
		h.log.Info("response timeout: the client stopped reading the response; closing the connection",
			"request_id", headerValue(pw.Header(), hdrRequestID), "source", r.RemoteAddr, "timeout", h.timeout.String())
		return
	}
	// net/http flushes what is buffered once the handler returns: the
	// deadline, pushed at most every ago, leaves that flush at least
	// timeout-every. A handler that wrote nothing has its deadline set now.
	pw.write.touch()
}

// connDeadlines sets the deadlines of a request's connection: net/http's
// ResponseWriter does, and http.ResponseController reaches it through
// wrappers.
type connDeadlines interface {
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// progressExchange is progressHandler's writer and body for one request,
// in one allocation.
type progressExchange struct {
	pw   progressWriter
	body progressBody
}

// progressBody is a request body whose read deadline moves with each Read.
type progressBody struct {
	io.ReadCloser
	read     progressDeadline
	timedOut atomic.Bool
	done     bool
}

func (b *progressBody) Read(p []byte) (int, error) {
	if b.done {
		return b.ReadCloser.Read(p)
	}
	b.read.touch()
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF:
		// net/http now reads ahead in the background to notice a closed
		// connection; a deadline left set would cancel the request.
		b.done = true
		b.read.clear()
	case err != nil && isTimeout(err):
		b.timedOut.Store(true)
	}
	return n, err
}

// progressWriter is a ResponseWriter whose write deadline moves with each
// Write. Once the request body has timed out, it answers RequestTimeout in
// place of whatever the handler answers.
type progressWriter struct {
	http.ResponseWriter
	r             *http.Request
	write         progressDeadline
	body          *progressBody // nil for a request without a body
	wroteHeader   bool
	replaced      bool // RequestTimeout was written in the handler's stead
	writeTimedOut bool
}

// Unwrap lets http.ResponseController reach the connection.
func (w *progressWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *progressWriter) WriteHeader(code int) {
	if w.replaced || w.wroteHeader {
		return
	}
	if w.body != nil && w.body.timedOut.Load() {
		w.writeRequestTimeout()
		return
	}
	w.wroteHeader = true
	w.write.touch()
	w.ResponseWriter.WriteHeader(code)
}

func (w *progressWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader && !w.replaced {
		w.WriteHeader(http.StatusOK)
	}
	if w.replaced {
		return len(p), nil
	}
	w.write.touch()
	n, err := w.ResponseWriter.Write(p)
	if err != nil && isTimeout(err) {
		w.writeTimedOut = true
	}
	return n, err
}

// writeRequestTimeout answers S3's RequestTimeout, keeping the request ID
// the handler already gave the response.
func (w *progressWriter) writeRequestTimeout() {
	w.replaced = true
	h := w.Header()
	reqID := headerValue(h, hdrRequestID)
	if reqID == "" {
		reqID = newRequestID()
	}
	clear(h)
	w.write.touch()
	r := w.r.WithContext(s3err.WithRequestID(w.r.Context(), reqID, hostID(reqID)))
	s3err.Write(w.ResponseWriter, r, s3api.RequestTimeout())
}
