package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// configLogging names the bucket's server access logging configuration in
// store.Bucket.Config: the JSON of its loggingEnabled. s3vpce stores and
// returns it; it delivers no logs.
const configLogging = "logging"

// bucketLoggingStatus is the body of Put/GetBucketLogging: no
// LoggingEnabled means logging is off.
type bucketLoggingStatus struct {
	XMLName        xml.Name        `xml:"BucketLoggingStatus"`
	Xmlns          string          `xml:"xmlns,attr,omitempty"`
	LoggingEnabled *loggingEnabled `xml:"LoggingEnabled"`
}

type loggingEnabled struct {
	TargetBucket          string                 `xml:"TargetBucket" json:"bucket"`
	TargetGrants          *targetGrants          `xml:"TargetGrants" json:"grants,omitempty"`
	TargetPrefix          *string                `xml:"TargetPrefix" json:"prefix"`
	TargetObjectKeyFormat *targetObjectKeyFormat `xml:"TargetObjectKeyFormat" json:"keyFormat,omitempty"`
}

type targetGrants struct {
	Grants []targetGrant `xml:"Grant" json:"grants"`
}

type targetGrant struct {
	Grantee    *logGrantee `xml:"Grantee" json:"grantee"`
	Permission string      `xml:"Permission" json:"permission"`
}

// logGrantee is a Grantee element as read: encoding/xml needs the
// namespaced xsi:type attribute spelt by its namespace URL. outGrantee is
// the same element as written.
type logGrantee struct {
	Type         string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr" json:"type"`
	ID           string `xml:"ID,omitempty" json:"id,omitempty"`
	DisplayName  string `xml:"DisplayName,omitempty" json:"displayName,omitempty"`
	EmailAddress string `xml:"EmailAddress,omitempty" json:"email,omitempty"`
	URI          string `xml:"URI,omitempty" json:"uri,omitempty"`
}

type outGrantee struct {
	XMLNSXsi     string `xml:"xmlns:xsi,attr"`
	Type         string `xml:"xsi:type,attr"`
	ID           string `xml:"ID,omitempty"`
	DisplayName  string `xml:"DisplayName,omitempty"`
	EmailAddress string `xml:"EmailAddress,omitempty"`
	URI          string `xml:"URI,omitempty"`
}

type outGrant struct {
	Grantee    outGrantee `xml:"Grantee"`
	Permission string     `xml:"Permission"`
}

// loggingEnabledOut is LoggingEnabled as GetBucketLogging writes it.
type loggingEnabledOut struct {
	TargetBucket          string                 `xml:"TargetBucket"`
	TargetGrants          []outGrant             `xml:"TargetGrants>Grant"`
	TargetPrefix          string                 `xml:"TargetPrefix"`
	TargetObjectKeyFormat *targetObjectKeyFormat `xml:"TargetObjectKeyFormat"`
}

type bucketLoggingStatusOut struct {
	XMLName        xml.Name           `xml:"BucketLoggingStatus"`
	Xmlns          string             `xml:"xmlns,attr"`
	LoggingEnabled *loggingEnabledOut `xml:"LoggingEnabled"`
}

func (le *loggingEnabled) out() *loggingEnabledOut {
	o := &loggingEnabledOut{TargetBucket: le.TargetBucket, TargetObjectKeyFormat: le.TargetObjectKeyFormat}
	if le.TargetPrefix != nil {
		o.TargetPrefix = *le.TargetPrefix
	}
	if le.TargetGrants != nil && len(le.TargetGrants.Grants) > 0 {
		grants := []outGrant{}
		for _, g := range le.TargetGrants.Grants {
			gr := g.Grantee
			grants = append(grants, outGrant{outGrantee{XMLNSXsi: "http://www.w3.org/2001/XMLSchema-instance", Type: gr.Type, ID: gr.ID,
				DisplayName: gr.DisplayName, EmailAddress: gr.EmailAddress, URI: gr.URI}, g.Permission})
		}
		o.TargetGrants = grants
	}
	return o
}

type targetObjectKeyFormat struct {
	SimplePrefix      *struct{}          `xml:"SimplePrefix" json:"simple,omitempty"`
	PartitionedPrefix *partitionedPrefix `xml:"PartitionedPrefix" json:"partitioned,omitempty"`
}

type partitionedPrefix struct {
	PartitionDateSource string `xml:"PartitionDateSource,omitempty" json:"dateSource,omitempty"`
}

// serveLogging answers GetBucketLogging and PutBucketLogging.
func (h *Handler) serveLogging(w http.ResponseWriter, req *Request) error {
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	if req.Op == "GetBucketLogging" {
		out := bucketLoggingStatusOut{Xmlns: xmlns}
		var le loggingEnabled
		set, _, err := readConfig(b, configLogging, &le)
		if err != nil {
			return err
		}
		if set {
			out.LoggingEnabled = le.out()
		}
		return writeXML(w, req.HTTP, &out)
	}
	var in bucketLoggingStatus
	if serr := readXML(req.HTTP, maxDocument, &in); serr != nil {
		return serr
	}
	if in.LoggingEnabled == nil {
		return h.resetConfig200(w, req)
	}
	if serr := h.validateLogging(req, b, in.LoggingEnabled); serr != nil {
		return serr
	}
	return h.setConfig(w, req, configLogging, in.LoggingEnabled, http.StatusOK)
}

// resetConfig200 turns logging off: PutBucketLogging with an empty
// BucketLoggingStatus answers 200.
func (h *Handler) resetConfig200(w http.ResponseWriter, req *Request) error {
	return h.updateBucket(w, req, http.StatusOK, func(b *store.Bucket) { delete(b.Config, configLogging) })
}

// validateLogging applies S3's checks to a LoggingEnabled element of
// bucket src: the target bucket exists, belongs to src's owner and is in
// its region, and takes no target grants if it enforces bucket ownership.
func (h *Handler) validateLogging(req *Request, src *store.Bucket, le *loggingEnabled) *s3err.Error {
	if le.TargetBucket == "" || le.TargetPrefix == nil {
		return s3err.MalformedXML()
	}
	if f := le.TargetObjectKeyFormat; f != nil {
		if (f.SimplePrefix == nil) == (f.PartitionedPrefix == nil) {
			return s3err.MalformedXML()
		}
		if p := f.PartitionedPrefix; p != nil && p.PartitionDateSource != "" && p.PartitionDateSource != "EventTime" && p.PartitionDateSource != "DeliveryTime" {
			return s3err.MalformedXML()
		}
	}
	if g := le.TargetGrants; g != nil {
		for _, tg := range g.Grants {
			if tg.Grantee == nil {
				return s3err.MalformedXML()
			}
			switch tg.Permission {
			case "FULL_CONTROL", "READ", "WRITE":
			default:
				return s3err.MalformedXML()
			}
		}
	}
	target, err := h.store.Bucket(le.TargetBucket)
	if errors.Is(err, store.ErrNoSuchBucket) {
		return s3err.New(http.StatusBadRequest, "InvalidTargetBucketForLogging", "The target bucket for logging does not exist").
			With("TargetBucket", le.TargetBucket)
	}
	if err != nil {
		return s3err.Internal()
	}
	if target.Owner != src.Owner {
		return s3err.New(http.StatusBadRequest, "InvalidTargetBucketForLogging", "The owner for the bucket to be logged and the target bucket must be the same.").
			With("TargetBucket", le.TargetBucket)
	}
	if tr, sr := bucketRegion(target, req.HTTP), bucketRegion(src, req.HTTP); tr != sr {
		e := s3err.New(http.StatusBadRequest, "CrossLocationLoggingProhibitted", "Cross S3 location logging not allowed. ").
			With("TargetBucketLocation", tr)
		if sr != "us-east-1" {
			e = e.With("SourceBucketLocation", sr)
		}
		return e
	}
	if le.TargetGrants != nil && len(le.TargetGrants.Grants) > 0 {
		o, err := ownershipOf(target)
		if err != nil {
			return s3err.Internal()
		}
		if o == "BucketOwnerEnforced" {
			return s3err.New(http.StatusBadRequest, "AccessControlListNotSupported", "Target grants not allowed for bucket owner enforced buckets")
		}
	}
	return nil
}

// getObjectTorrent answers GetObjectTorrent. S3 discontinued BitTorrent
// (no longer available to enable since April 2021, no client connects
// since April 2022): it serves no torrent file, and s3vpce answers what
// an account without BitTorrent gets, 404 NoSuchKey.
func (h *Handler) getObjectTorrent(w http.ResponseWriter, req *Request) error {
	if _, err := h.store.Bucket(req.Bucket); err != nil {
		return err
	}
	return errNoSuchKey(req.Key)
}
