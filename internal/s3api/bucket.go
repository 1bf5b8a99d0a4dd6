package s3api

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// Buckets: CreateBucket, DeleteBucket, HeadBucket, GetBucketLocation and
// ListBuckets, over the store.

// createBucketConfiguration is the optional body of CreateBucket.
type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
}

// regionOfHost finds the region in an endpoint name such as
// bucket.vpce-….s3.eu-west-1.vpce.amazonaws.com.
var regionOfHost = regexp.MustCompile(`\.s3[.-]([a-z0-9-]+)\.(?:vpce\.)?amazonaws\.com(?::\d+)?$`)

// ipFormed matches names formatted as an IPv4 address, which S3 refuses.
var ipFormed = regexp.MustCompile(`^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$`)

// hostRegion is the region of the endpoint a request was sent to.
func hostRegion(r *http.Request) string {
	if m := regionOfHost.FindStringSubmatch(r.Host); m != nil {
		return m[1]
	}
	return "us-east-1"
}

// createBucket answers CreateBucket: S3's bucket naming rules
// (InvalidBucketName), an existing bucket (BucketAlreadyOwnedByYou, or 200
// in us-east-1 for legacy compatibility, which resets the bucket's ACL),
// the object ownership header and the location.
func (h *Handler) createBucket(w http.ResponseWriter, req *Request) error {
	r := req.HTTP
	if msg := bucketNameError(req.Bucket); msg != "" {
		return s3err.New(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.").With("BucketName", req.Bucket)
	}
	var cfg createBucketConfiguration
	if r.ContentLength != 0 {
		if serr := readXML(r, maxDocument, &cfg); serr != nil {
			return serr
		}
	}
	if cfg.LocationConstraint == "us-east-1" {
		// S3 names us-east-1 by no constraint at all.
		return s3err.New(http.StatusBadRequest, "InvalidLocationConstraint", "The specified location-constraint is not valid").
			With("LocationConstraint", cfg.LocationConstraint)
	}
	ownership := reqHeader(r.Header, "X-Amz-Object-Ownership")
	if ownership != "" && !validOwnership(ownership) {
		return errInvalidArgument("Invalid x-amz-object-ownership header: "+ownership, "x-amz-object-ownership")
	}
	region := hostRegion(r)
	b := store.Bucket{Name: req.Bucket, Owner: req.Account, Config: map[string][]byte{}}
	if b.Owner == "" {
		b.Owner = h.defaultAccount
	}
	if serr := h.newBucketAccess(req, &b, ownership); serr != nil {
		return serr
	}
	if loc := cfg.LocationConstraint; loc != "" || region != "us-east-1" {
		if loc == "" {
			loc = region
		}
		b.Config[configLocation], _ = json.Marshal(loc)
	}
	if serr := lockOnCreate(r.Header, &b); serr != nil {
		return serr
	}
	err := h.store.CreateBucket(b)
	if errors.Is(err, store.ErrBucketExists) {
		err = h.bucketExists(req, region)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/"+req.Bucket)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

// deleteBucket answers DeleteBucket: only an empty bucket goes.
func (h *Handler) deleteBucket(w http.ResponseWriter, req *Request) error {
	if err := h.store.DeleteBucket(req.Bucket); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// headBucket answers HeadBucket: 200 with the bucket's region, or 404
// without a body.
func (h *Handler) headBucket(w http.ResponseWriter, req *Request) error {
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	w.Header().Set("X-Amz-Bucket-Region", bucketRegion(b, req.HTTP))
	w.Header().Set("X-Amz-Access-Point-Alias", "false")
	w.WriteHeader(http.StatusOK)
	return nil
}

// updateBucket changes the request's bucket with fn, in one store
// transaction, and answers status without a body.
func (h *Handler) updateBucket(w http.ResponseWriter, req *Request, status int, fn func(b *store.Bucket)) error {
	if _, err := h.store.UpdateBucket(req.Bucket, func(b *store.Bucket) error {
		fn(b)
		return nil
	}); err != nil {
		return err
	}
	w.WriteHeader(status)
	return nil
}

// bucketRegion is the region a bucket was created in; for a bucket created
// without one (in us-east-1, or by the emulator at start), the region of
// the endpoint asked.
func bucketRegion(b *store.Bucket, r *http.Request) string {
	var loc string
	if raw := b.Config[configLocation]; raw != nil && json.Unmarshal(raw, &loc) == nil && loc != "" {
		return loc
	}
	return hostRegion(r)
}

// locationConstraint is GetBucketLocation's answer: empty for us-east-1.
type locationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Region  string   `xml:",chardata"`
}

func (h *Handler) getBucketLocation(w http.ResponseWriter, req *Request) error {
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	out := locationConstraint{Xmlns: xmlns}
	if region := bucketRegion(b, req.HTTP); region != "us-east-1" {
		out.Region = region
	}
	return writeXML(w, req.HTTP, &out)
}

// listAllMyBucketsResult is ListBuckets' answer.
type listAllMyBucketsResult struct {
	XMLName           xml.Name       `xml:"ListAllMyBucketsResult"`
	Xmlns             string         `xml:"xmlns,attr"`
	Owner             owner          `xml:"Owner"`
	Buckets           []bucketRecord `xml:"Buckets>Bucket"`
	ContinuationToken string         `xml:"ContinuationToken,omitempty"`
	Prefix            string         `xml:"Prefix,omitempty"`
}

// bucketRecord is one bucket of ListBuckets: S3 now reports each bucket's
// region (BucketArn is for directory buckets only).
type bucketRecord struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion"`
}

func (h *Handler) listBuckets(w http.ResponseWriter, req *Request) error {
	buckets, err := h.store.Buckets()
	if err != nil {
		return err
	}
	out := listAllMyBucketsResult{Xmlns: xmlns, Owner: owner{ID: req.OwnerID, DisplayName: req.OwnerName},
		Buckets: make([]bucketRecord, 0, len(buckets))}
	page, serr := bucketPage(req)
	if serr != nil {
		return serr
	}
	out.Prefix = page.prefix
	onlyRegion := req.Query.Get("bucket-region")
	for _, b := range buckets {
		if h.BucketOwner(b) != req.Account || !page.includes(b.Name) {
			continue // each account lists its own buckets
		}
		region := bucketRegion(b, req.HTTP)
		if onlyRegion != "" && region != onlyRegion {
			continue
		}
		if len(out.Buckets) == page.max {
			out.ContinuationToken = out.Buckets[len(out.Buckets)-1].Name
			break
		}
		out.Buckets = append(out.Buckets, bucketRecord{Name: b.Name, CreationDate: s3Time(b.Created), BucketRegion: region})
	}
	return writeXML(w, req.HTTP, &out)
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
	if !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return "start or end"
	}
	if strings.Contains(name, "..") {
		return "adjacent dots"
	}
	if ipFormed.MatchString(name) {
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

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
