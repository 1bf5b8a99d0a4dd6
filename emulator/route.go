package emulator

import (
	"fmt"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"net/http"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// route rewrites a request for a classified host into the path-style form
// the S3 layer serves: the port stripped from Host, and for virtual-hosted
// names the bucket moved into the path.
func route(h vpce.Host, e *vpce.Endpoint, r *http.Request) *s3err.Error {
	switch h.Surface {
	case vpce.SurfaceBucket, vpce.SurfaceBare, vpce.SurfacePrivateS3:
	case vpce.SurfaceVirtualBucket, vpce.SurfacePrivateVirtualBucket, vpce.SurfaceAccessPoint, vpce.SurfacePrivateAccessPoint:
		// An access point's bucket was set in h by accessPointOf: the
		// path is the key.
		r.URL.Path = "/" + h.Bucket + r.URL.Path
		if r.URL.RawPath != "" {
			r.URL.RawPath = "/" + h.Bucket + r.URL.RawPath
		}
	case vpce.SurfaceControl, vpce.SurfacePrivateControl:
		return &s3err.Error{Status: http.StatusNotImplemented, Code: "NotImplemented",
			Message: fmt.Sprintf("s3vpce does not emulate the %s surface yet.", h.Surface)}
	default:
		return &s3err.Error{Status: http.StatusBadRequest, Code: "InvalidRequest",
			Message: fmt.Sprintf("The host %q is below endpoint %s but is not a bucket., <bucket>.bucket., accesspoint. or control. name.", r.Host, e.ID)}
	}
	r.Host = h.Name
	return nil
}
