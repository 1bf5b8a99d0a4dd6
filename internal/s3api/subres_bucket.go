package s3api

import (
	"encoding/xml"
	"net/http"
	"regexp"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// createBucketConfiguration is the optional body of CreateBucket.
type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
}

// subresRegionOfHost finds the region in an endpoint name such as
// bucket.vpce-….s3.eu-west-1.vpce.amazonaws.com.
var subresRegionOfHost = regexp.MustCompile(`\.s3[.-]([a-z0-9-]+)\.(?:vpce\.)?amazonaws\.com(?::\d+)?$`)

// subresIPFormed matches names formatted as an IPv4 address, which S3 refuses.
var subresIPFormed = regexp.MustCompile(`^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$`)

// createBucket answers CreateBucket: S3's bucket naming rules
// (InvalidBucketName), an existing bucket (BucketAlreadyOwnedByYou, or 200
// in us-east-1 for legacy compatibility), and a fresh configuration for the
// new bucket.
func (h *Handler) createBucket(w http.ResponseWriter, req *Request) {
	r := req.HTTP
	if msg := bucketNameError(req.Bucket); msg != "" {
		WriteError(w, r, &Error{Status: http.StatusBadRequest, Code: "InvalidBucketName", Message: "The specified bucket is not valid.",
			Extra: []ExtraElement{{XMLName: xml.Name{Local: "BucketName"}, Value: req.Bucket}}})
		return
	}
	if r.ContentLength != 0 {
		var cfg createBucketConfiguration
		if !subresReadXML(w, r, &cfg) {
			return
		}
	}
	ownership := r.Header.Get("X-Amz-Object-Ownership")
	if ownership != "" && !subresValidOwnership(ownership) {
		WriteError(w, r, &Error{Status: http.StatusBadRequest, Code: "InvalidArgument", Message: "Invalid x-amz-object-ownership header: " + ownership,
			Extra: []ExtraElement{{XMLName: xml.Name{Local: "ArgumentName"}, Value: "x-amz-object-ownership"}}})
		return
	}
	err := h.backend.CreateBucket(req.Bucket)
	switch {
	case err == nil:
		h.config.reset(req.Bucket, ownership)
	case gofakes3.HasErrorCode(err, gofakes3.ErrBucketAlreadyExists):
		region := "us-east-1"
		if m := subresRegionOfHost.FindStringSubmatch(r.Host); m != nil {
			region = m[1]
		}
		if region != "us-east-1" {
			WriteError(w, r, &Error{Status: http.StatusConflict, Code: "BucketAlreadyOwnedByYou",
				Message: "Your previous request to create the named bucket succeeded and you already own it.",
				Extra:   []ExtraElement{{XMLName: xml.Name{Local: "BucketName"}, Value: req.Bucket}}})
			return
		}
		// us-east-1 answers 200 and resets the bucket's ACL.
		h.config.with(req.Bucket, func(b *bucketConfig) { b.acl = nil })
	default:
		subresInternal(w, r)
		return
	}
	w.Header().Set("Location", "/"+req.Bucket)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// bucketNameError returns why name breaks S3's general purpose bucket
// naming rules, "" when it is valid.
func bucketNameError(name string) string {
	if len(name) < 3 || len(name) > 63 {
		return "length"
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return "character"
		}
	}
	if !subresAlnum(name[0]) || !subresAlnum(name[len(name)-1]) {
		return "start or end"
	}
	if strings.Contains(name, "..") {
		return "adjacent dots"
	}
	if subresIPFormed.MatchString(name) {
		return "IP address"
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return "reserved prefix"
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return "reserved suffix"
		}
	}
	return ""
}

func subresAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
