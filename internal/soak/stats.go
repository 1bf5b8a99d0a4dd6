package soak

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"syscall"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// The operations reported; an action runs one or two of them.
const (
	OpPutObject          = "PutObject"
	OpPutObjectUnsigned  = "PutObject/unsigned"
	OpPutObjectPresigned = "PutObject/presigned"
	OpGetObject          = "GetObject"
	OpGetObjectRange     = "GetObject/range"
	OpGetObjectPresigned = "GetObject/presigned"
	OpGetObjectMultipart = "GetObject/multipart"
	OpGetObjectDeleted   = "GetObject/deleted"
	OpHeadObject         = "HeadObject"
	OpListObjectsV2      = "ListObjectsV2"
	OpDeleteObject       = "DeleteObject"
	OpMultipartUpload    = "MultipartUpload"
)

// Ops lists every operation in report order.
func Ops() []string {
	return []string{OpPutObject, OpPutObjectUnsigned, OpPutObjectPresigned, OpMultipartUpload,
		OpGetObject, OpGetObjectRange, OpGetObjectPresigned, OpGetObjectMultipart, OpGetObjectDeleted,
		OpHeadObject, OpListObjectsV2, OpDeleteObject}
}

// opStats accumulates one operation's outcomes within one client.
type opStats struct {
	count, bytes int64
	errors       map[string]int64
	latencies    []time.Duration // successful operations only
}

// recorder is one client's tally; clients never share one, so it needs no
// lock, and Run merges them at the end.
type recorder struct {
	ops             map[string]*opStats
	errorSamples    map[string]string // code -> first message
	mismatches      map[string]int64  // kind -> count
	mismatchSamples []string
}

const maxMismatchSamples = 20

func newRecorder() *recorder {
	return &recorder{ops: map[string]*opStats{}, errorSamples: map[string]string{}, mismatches: map[string]int64{}}
}

func (r *recorder) op(name string) *opStats {
	s := r.ops[name]
	if s == nil {
		s = &opStats{errors: map[string]int64{}}
		r.ops[name] = s
	}
	return s
}

func (r *recorder) success(name string, d time.Duration, bytes int64) {
	s := r.op(name)
	s.count++
	s.bytes += bytes
	s.latencies = append(s.latencies, d)
}

// failure counts a failed operation under its error code.
func (r *recorder) failure(name string, err error) string {
	code := errorCode(err)
	s := r.op(name)
	s.count++
	s.errors[code]++
	if _, ok := r.errorSamples[code]; !ok {
		r.errorSamples[code] = fmt.Sprintf("%s: %v", name, err)
	}
	return code
}

func (r *recorder) mismatch(kind, detail string) {
	r.mismatches[kind]++
	if len(r.mismatchSamples) < maxMismatchSamples {
		r.mismatchSamples = append(r.mismatchSamples, detail)
	}
}

func (r *recorder) merge(o *recorder) {
	for name, s := range o.ops {
		d := r.op(name)
		d.count += s.count
		d.bytes += s.bytes
		d.latencies = append(d.latencies, s.latencies...)
		for c, n := range s.errors {
			d.errors[c] += n
		}
	}
	for c, m := range o.errorSamples {
		if _, ok := r.errorSamples[c]; !ok {
			r.errorSamples[c] = m
		}
	}
	for k, n := range o.mismatches {
		r.mismatches[k] += n
	}
	for _, m := range o.mismatchSamples {
		if len(r.mismatchSamples) < maxMismatchSamples {
			r.mismatchSamples = append(r.mismatchSamples, m)
		}
	}
}

// errorCode names an error the way the report counts it: the S3 error code
// of an API error ("http:<status>" when the response had none),
// "client:checksum-mismatch" when the SDK's response checksum failed, or
// "transport:<reason>".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() != "" {
		return ae.ErrorCode()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return fmt.Sprintf("http:%d", re.HTTPStatusCode())
	}
	var se *statusError
	if errors.As(err, &se) {
		if se.code != "" {
			return se.code
		}
		return fmt.Sprintf("http:%d", se.status)
	}
	var ne net.Error
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var cv *tls.CertificateVerificationError
	var ra tls.RecordHeaderError
	switch {
	case strings.Contains(err.Error(), "checksum did not match"):
		return "client:checksum-mismatch"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "transport:timeout"
	case errors.Is(err, syscall.ECONNRESET):
		return "transport:conn-reset"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "transport:conn-refused"
	case errors.Is(err, syscall.EPIPE):
		return "transport:broken-pipe"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "transport:unexpected-eof"
	case errors.As(err, &ua), errors.As(err, &hn), errors.As(err, &cv), errors.As(err, &ra):
		return "transport:tls"
	case errors.As(err, new(*net.DNSError)):
		return "transport:dns"
	case errors.As(err, new(*net.OpError)):
		return "transport:net"
	}
	return "transport:other"
}

// statusError is a failed plain net/http request (the presigned ones).
type statusError struct {
	status int
	code   string // from the S3 XML error, if any
	msg    string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("soak: HTTP %d %s: %s", e.status, e.code, e.msg)
}

// percentile is the nearest-rank quantile of sorted at perMyriad/10000
// (5000 is the median, 9900 p99): the smallest sample with at least that
// share of the samples at or below it.
func percentile(sorted []time.Duration, perMyriad int) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := (n*perMyriad + 9999) / 10000 // ceil, in integers
	return sorted[min(max(rank, 1), n)-1]
}

func sortedCopy(d []time.Duration) []time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s
}
