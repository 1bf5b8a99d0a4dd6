package s3api

import (
	"errors"
	"net/http"
	"time"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// writableStorageClasses are the x-amz-storage-class values a general
// purpose bucket takes on PutObject, CopyObject, CreateMultipartUpload and
// POST uploads. The SDKs' enum has more (OUTPOSTS, SNOW, EXPRESS_ONEZONE,
// FSX_OPENZFS, FSX_ONTAP, AWS_BACKUP_*): those name storage of Outposts,
// Snow devices, directory buckets, FSx and AWS Backup, which a general
// purpose bucket refuses like any unknown value.
var writableStorageClasses = map[string]bool{
	"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true, "ONEZONE_IA": true,
	"INTELLIGENT_TIERING": true, "GLACIER": true, "DEEP_ARCHIVE": true, "GLACIER_IR": true,
}

// checkStorageClass is S3's 400 InvalidStorageClass, with the
// StorageClassRequested element, for an x-amz-storage-class header a
// general purpose bucket does not take; nil without the header.
func checkStorageClass(hdr http.Header) *s3err.Error {
	vs, ok := hdr["X-Amz-Storage-Class"]
	if !ok || len(vs) == 0 || writableStorageClasses[vs[0]] {
		return nil
	}
	return s3err.New(http.StatusBadRequest, "InvalidStorageClass", "The storage class you specified is not valid").
		With("StorageClassRequested", vs[0])
}

// abortPrecondition applies x-amz-if-match-initiated-time to an
// AbortMultipartUpload as S3 does: the abort goes on (done false) when the
// upload was initiated at that time (to the second), when the time is in
// the future (S3 ignores it) or without the header; it is 412
// PreconditionFailed when the upload was initiated at another time, and a
// 204 with nothing to do (done true) when there is no such upload. An
// unparsable value is ignored, as S3 ignores malformed conditional dates.
func (h *Handler) abortPrecondition(req *Request) (done bool, err error) {
	v := reqHeader(req.HTTP.Header, "X-Amz-If-Match-Initiated-Time")
	if v == "" {
		return false, nil
	}
	t, perr := http.ParseTime(v)
	if perr != nil || t.After(req.Now) {
		return false, nil
	}
	u, err := h.store.Upload(req.Bucket, req.Key, req.Query.Get("uploadId"))
	if errors.Is(err, store.ErrNoSuchUpload) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if !u.Initiated.Truncate(time.Second).Equal(t.Truncate(time.Second)) {
		return false, errPreconditionFailed("x-amz-if-match-initiated-time")
	}
	return false, nil
}
