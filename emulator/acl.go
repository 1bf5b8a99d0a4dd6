package emulator

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
	"github.com/s3vpce/s3vpce/policy"
)

// ACLs in authorization. S3 evaluates a bucket's and an object's ACL
// beside the bucket policy, as another resource-based grant: a check that
// no policy allowed (and none denied explicitly) is allowed when an ACL
// grants its permission to the caller's canonical ID, to
// AuthenticatedUsers (any signed caller) or to AllUsers (anyone). ACLs
// grant nothing in a bucket with BucketOwnerEnforced, and public grants
// nothing when the bucket's public access block ignores public ACLs.

// aclVersions are the version IDs a request names, for the object ACL of
// its object and of its copy source ("" for the current version).
type aclVersions struct{ object, source string }

// aclPermission maps an IAM action to the ACL permission that grants it,
// on the bucket or on the object.
func aclPermission(action string) (perm string, onObject bool) {
	switch action {
	case "s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads":
		return "READ", false
	case "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion":
		return "WRITE", false
	case "s3:GetBucketAcl":
		return "READ_ACP", false
	case "s3:PutBucketAcl":
		return "WRITE_ACP", false
	case "s3:GetObject", "s3:GetObjectVersion":
		return "READ", true
	case "s3:GetObjectAcl", "s3:GetObjectVersionAcl":
		return "READ_ACP", true
	case "s3:PutObjectAcl", "s3:PutObjectVersionAcl":
		return "WRITE_ACP", true
	}
	return "", false
}

// aclGrant returns the ACL grant that allows check ch on resource (an S3
// ARN) to caller c, "" when none does. A GetObject of an object that does
// not exist, in a bucket whose ACLs apply, is let through: the S3 layer
// then answers 404 or 403 by whether the caller may list the bucket, as
// S3 does.
func (s *Server) aclGrant(c caller, ch policy.Check, resource string, vers aclVersions) string {
	perm, onObject := aclPermission(ch.Action)
	if perm == "" {
		return ""
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(resource, "arn:aws:s3:::"), "/")
	b, err := s.store.Bucket(bucket)
	if err != nil {
		return ""
	}
	account := ""
	if !c.principal.Anonymous {
		account = c.principal.Account
	}
	var v *store.Version
	if onObject {
		id := vers.object
		if ch.Kind == policy.ResourceSourceObject {
			id = vers.source
		}
		v, err = s.store.Object(bucket, key, id)
		if errors.Is(err, store.ErrNoSuchKey) || errors.Is(err, store.ErrNoSuchVersion) || err == nil && v.DeleteMarker {
			if perm == "READ" && ch.Kind == policy.ResourceObject {
				if s.compat.ACLsApply(b) {
					return "no object ACL (no such object): S3 answers 404 or 403 by s3:ListBucket"
				}
			}
			if perm == "WRITE_ACP" && ch.Kind == policy.ResourceObject {
				// An ACL given with a new object (x-amz-acl or grants on
				// PutObject, a POST upload's acl field): the writer will own
				// the object, so the bucket's WRITE grant covers its ACL.
				return s.newObjectACLGrant(b, account)
			}
			return ""
		}
		if err != nil {
			return ""
		}
	}
	g, err := s.compat.ACLGrant(b, v, account, perm)
	if err != nil {
		s.log.Error("reading an ACL", "bucket", bucket, "key", key, "err", err)
		return ""
	}
	if g == "" {
		return ""
	}
	if v != nil {
		return "object ACL grants " + g
	}
	return "bucket ACL grants " + g
}

// newObjectACLGrant is the grant that lets a caller set the ACL of an
// object it is creating: the bucket ACL's WRITE.
func (s *Server) newObjectACLGrant(b *store.Bucket, account string) string {
	g, err := s.compat.ACLGrant(b, nil, account, "WRITE")
	if err != nil {
		s.log.Error("reading an ACL", "bucket", b.Name, "err", err)
		return ""
	}
	if g == "" {
		return ""
	}
	return "bucket ACL grants " + g + " (the writer owns the new object and sets its ACL)"
}

// allowByACL turns an implicit denial by the resource policy into an
// allow when an ACL grants the check (see aclGrant); it reports the grant.
func (s *Server) allowByACL(d *policy.Decision, c caller, ch policy.Check, resource string, vers aclVersions) string {
	if d.Allowed() || d.Reason != policy.ReasonImplicitDeny || d.Kind != policy.KindBucket {
		return ""
	}
	g := s.aclGrant(c, ch, resource, vers)
	if g != "" {
		d.Effect, d.Reason = policy.EffectAllow, policy.ReasonAllowed
	}
	return g
}

// missingBucket is S3's answer to a request about a bucket that does not
// exist that no policy could allow (an anonymous one): 404 NoSuchBucket,
// not 403.
func (s *Server) missingBucket(d policy.Decision, bucket string) *s3err.Error {
	if d.Reason != policy.ReasonImplicitDeny || d.Kind != policy.KindBucket || bucket == "" || s.up != nil {
		return nil // in upstream mode the local store does not know every bucket
	}
	if _, err := s.store.Bucket(bucket); !errors.Is(err, store.ErrNoSuchBucket) {
		return nil
	}
	return s3err.New(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist").With("BucketName", bucket)
}

// s3apiOptions configures the S3 layer: the logger, the account owning
// buckets recorded without an owner, and the defaults of new buckets.
func (s *Server) s3apiOptions() []s3api.Option {
	opts := []s3api.Option{s3api.WithLogger(s.log), s3api.WithDefaultAccount(DefaultAccountID)}
	if s.opts.LegacyBucketDefaults {
		opts = append(opts, s3api.WithLegacyBucketDefaults())
	}
	return opts
}

// copySourceVersion is the versionId of an x-amz-copy-source, "" when it
// names none.
func copySourceVersion(src string) string {
	_, query, ok := strings.Cut(src, "?")
	if !ok {
		return ""
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return ""
	}
	return q.Get("versionId")
}

// restrictPublic applies RestrictPublicBuckets: a bucket whose policy is
// public answers only its own account's callers (and AWS services); a
// check allowed for anyone else is denied.
func (s *Server) restrictPublic(d *policy.Decision, c caller, bucket string, bp *policy.Policy, owner string) {
	if !d.Allowed() || bp == nil || owner == "" || c.principal.Service != "" ||
		(!c.principal.Anonymous && c.principal.Account == owner) || !bp.IsPublic() {
		return
	}
	b, err := s.store.Bucket(bucket)
	if err != nil || !s3api.RestrictsPublicBuckets(b) {
		return
	}
	d.Effect, d.Reason, d.Kind, d.Policy, d.Statement, d.Sid = policy.EffectDeny, policy.ReasonImplicitDeny, policy.KindBucket, -1, -1, ""
}
