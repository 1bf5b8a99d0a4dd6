package s3api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
	"github.com/s3vpce/s3vpce/internal/store"
)

// Owners: every bucket belongs to the account that created it, every
// object version to the account that wrote it (or to the bucket owner,
// as the bucket's object ownership setting says). S3 shows owners as
// canonical user IDs, which s3vpce derives from the account ID.

// CanonicalUserID is the 64-hex-digit canonical user ID S3 shows for an
// account (owners in listings and ACLs, ACL grantees). It is derived from
// the account ID alone, so it is stable across runs and the same in every
// emulator.
func CanonicalUserID(account string) string {
	var buf [96]byte // no heap buffer for the usual 12-digit account
	sum := sha256.Sum256(append(append(buf[:0], "s3vpce canonical user "...), account...))
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], sum[:])
	return string(out[:])
}

// defaultAccountID owns buckets whose store record names no owner (those
// of an older store) unless WithDefaultAccount says otherwise.
const defaultAccountID = "123456789012"

// WithDefaultAccount names the account that owns buckets whose record
// names none, and the objects written anonymously to them.
func WithDefaultAccount(account string) Option {
	return func(h *Handler) { h.defaultAccount = account }
}

// WithLegacyBucketDefaults makes new buckets start as S3 buckets did
// before April 2023: object ownership ObjectWriter (ACLs enabled) and no
// public access block, unless CreateBucket says otherwise.
func WithLegacyBucketDefaults() Option {
	return func(h *Handler) { h.legacyDefaults = true }
}

// BucketOwner is the account that owns b.
func (h *Handler) BucketOwner(b *store.Bucket) string {
	if b.Owner != "" {
		return b.Owner
	}
	return h.defaultAccount
}

// ownerID is the canonical ID of an owner as stored: an account ID, or a
// canonical ID already (versions written before owners were accounts).
func ownerID(stored string) string {
	if len(stored) == 64 {
		return stored
	}
	return CanonicalUserID(stored)
}

// objectOwnerID is the canonical ID of the owner of a version (or of an
// upload's future object, by its meta) in bucket b: the bucket owner when
// the bucket enforces bucket ownership or the writer is unknown, else the
// writer recorded.
func (h *Handler) objectOwnerID(b *store.Bucket, meta *store.ObjectMeta) string {
	if o, _ := ownershipOf(b); o == "BucketOwnerEnforced" || meta.Owner == "" {
		return CanonicalUserID(h.BucketOwner(b))
	}
	return ownerID(meta.Owner)
}

// owners renders the Owner elements of a listing of bucket: one lookup of
// the bucket, then one owner per version.
func (h *Handler) owners(req *Request) (func(meta *store.ObjectMeta) owner, error) {
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return nil, err
	}
	return func(meta *store.ObjectMeta) owner {
		return owner{ID: h.objectOwnerID(b, meta), DisplayName: req.OwnerName}
	}, nil
}

// writeOwnership settles who owns the version a PutObject, CopyObject or
// CreateMultipartUpload writes, and its ACL (x-amz-acl or x-amz-grant-*),
// as S3 does for the bucket's object ownership:
//   - BucketOwnerEnforced: the bucket owner; an ACL other than
//     bucket-owner-full-control (or one granting the bucket owner full
//     control alone) is refused with AccessControlListNotSupported;
//   - BucketOwnerPreferred: the bucket owner when the ACL is
//     bucket-owner-full-control, else the writer;
//   - ObjectWriter: the writer.
//
// A public ACL (AllUsers, AuthenticatedUsers) is refused with AccessDenied
// when the bucket blocks public ACLs.
func (h *Handler) writeOwnership(req *Request, meta *store.ObjectMeta) error {
	b, err := h.store.ViewBucket(req.Bucket) // read only
	if err != nil {
		return err
	}
	ownership, err := ownershipOf(b)
	if err != nil {
		return err
	}
	bucketOwner := h.BucketOwner(b)
	writer := req.Account
	if writer == "" {
		writer = bucketOwner
	}
	canned := reqHeader(req.HTTP.Header, "X-Amz-Acl")
	writerID, ownerID := h.CanonicalUserID(writer), ""
	if ownerID = writerID; bucketOwner != writer {
		ownerID = h.CanonicalUserID(bucketOwner)
	}
	grants, given, serr := aclFromHeaders(req, writerID, ownerID)
	if serr != nil {
		return serr
	}
	setOwner(meta, writer, writer)
	meta.ACL = nil
	switch {
	case ownership == "BucketOwnerEnforced":
		if given && canned != "bucket-owner-full-control" && !aclOwnerOnly(grants, ownerID) {
			return errACLNotSupported()
		}
		setOwner(meta, bucketOwner, writer)
		return nil
	case ownership == "BucketOwnerPreferred" && canned == "bucket-owner-full-control":
		setOwner(meta, bucketOwner, writer)
		grants = []aclGrant{aclFullControl(ownerID, req.OwnerName)}
	}
	if !given {
		return nil
	}
	if aclPublic(grants) {
		if pab, err := publicAccessBlockOf(b); err != nil {
			return err
		} else if pab.BlockPublicAcls {
			return errAccessDenied()
		}
	}
	raw, err := json.Marshal(grants)
	if err != nil {
		return err
	}
	meta.ACL = raw
	return nil
}

// checkExpectedOwner applies x-amz-expected-bucket-owner (and, on copies,
// x-amz-source-expected-bucket-owner): S3 refuses a request whose bucket
// belongs to another account with 403 AccessDenied. A missing bucket is
// left to the operation (404).
func (h *Handler) checkExpectedOwner(req *Request) *s3err.Error {
	hdr := req.HTTP.Header
	check := func(bucket, want string) *s3err.Error {
		if want == "" || bucket == "" {
			return nil
		}
		b, err := h.store.Bucket(bucket)
		if err != nil {
			return nil
		}
		if h.BucketOwner(b) != want {
			return errAccessDenied()
		}
		return nil
	}
	if serr := check(req.Bucket, reqHeader(hdr, "X-Amz-Expected-Bucket-Owner")); serr != nil {
		return serr
	}
	if want := reqHeader(hdr, "X-Amz-Source-Expected-Bucket-Owner"); want != "" && (req.Op == "CopyObject" || req.Op == "UploadPartCopy") {
		if src, serr := parseCopySource(reqHeader(hdr, "X-Amz-Copy-Source")); serr == nil {
			return check(src.bucket, want)
		}
	}
	return nil
}

func errAccessDenied() *s3err.Error {
	return s3err.New(http.StatusForbidden, "AccessDenied", "Access Denied")
}

func errACLNotSupported() *s3err.Error {
	return s3err.New(http.StatusBadRequest, "AccessControlListNotSupported", "The bucket does not allow ACLs")
}

// initiator is the Initiator of a multipart upload: the account that
// started it, whatever the object's owner will be.
func initiator(req *Request, meta *store.ObjectMeta) owner {
	w := meta.Owner
	if raw, ok := meta.Extra[extraWriter]; ok {
		w = string(raw)
	}
	if w == "" {
		w = req.Account
	}
	return owner{ID: ownerID(w), DisplayName: req.OwnerName}
}

// extraWriter names, in ObjectMeta.Extra, the account that wrote a
// version or started an upload when it is not the owner.
const extraWriter = "writer"

// setOwner records owner as the version's owner, and the writer beside
// it when another account.
func setOwner(meta *store.ObjectMeta, owner, writer string) {
	meta.Owner = owner
	delete(meta.Extra, extraWriter)
	if writer != owner {
		if meta.Extra == nil {
			meta.Extra = map[string][]byte{}
		}
		meta.Extra[extraWriter] = []byte(writer)
	}
}

// bucketExists answers CreateBucket for a bucket that exists: another
// account's is 409 BucketAlreadyExists; the caller's own is 409
// BucketAlreadyOwnedByYou, except in us-east-1, which answers 200 and
// resets the bucket's ACL for legacy compatibility.
func (h *Handler) bucketExists(req *Request, region string) error {
	b, err := h.store.Bucket(req.Bucket)
	if err != nil {
		return err
	}
	if h.BucketOwner(b) != req.Account {
		return s3err.New(http.StatusConflict, "BucketAlreadyExists",
			"The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.").
			With("BucketName", req.Bucket)
	}
	if region != "us-east-1" {
		return s3err.New(http.StatusConflict, "BucketAlreadyOwnedByYou",
			"Your previous request to create the named bucket succeeded and you already own it.").With("BucketName", req.Bucket)
	}
	_, err = h.store.UpdateBucket(req.Bucket, func(b *store.Bucket) error {
		delete(b.Config, configACL)
		return nil
	})
	return err
}

// newBucketAccess sets up a new bucket's object ownership, public access
// block and ACL from CreateBucket's x-amz-object-ownership (ownership,
// "" when absent) and x-amz-acl or x-amz-grant-* headers:
//   - without ownership the bucket is BucketOwnerEnforced, except that
//     the canned ACL private alone makes it BucketOwnerPreferred (as S3
//     does), and with WithLegacyBucketDefaults, ObjectWriter without a
//     public access block;
//   - with BucketOwnerEnforced any ACL but the canned private is refused
//     with InvalidBucketAclWithObjectOwnership;
//   - a public ACL while public ACLs are blocked (the default) is refused
//     with InvalidBucketAclWithBlockPublicAccessError.
func (h *Handler) newBucketAccess(req *Request, b *store.Bucket, ownership string) *s3err.Error {
	id := CanonicalUserID(b.Owner)
	grants, given, serr := aclFromHeaders(req, id, id)
	if serr != nil {
		return serr
	}
	canned := reqHeader(req.HTTP.Header, "X-Amz-Acl")
	if ownership == "" {
		switch {
		case h.legacyDefaults:
			ownership = "ObjectWriter"
			b.Config[configPublicAccessBlock] = jsonNull
		case given && canned == "private":
			ownership = "BucketOwnerPreferred"
		default:
			ownership = "BucketOwnerEnforced"
		}
	}
	b.Config[configOwnership], _ = json.Marshal(ownership)
	if !h.legacyDefaults {
		b.Config[configPublicAccessBlock], _ = json.Marshal(&newBucketBlock)
	}
	if !given || canned == "private" {
		return nil
	}
	if ownership == "BucketOwnerEnforced" {
		return s3err.New(http.StatusBadRequest, "InvalidBucketAclWithObjectOwnership",
			"Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
	}
	if aclPublic(grants) {
		if pab, err := publicAccessBlockOf(b); err != nil || pab.BlockPublicAcls {
			return s3err.New(http.StatusBadRequest, "InvalidBucketAclWithBlockPublicAccessError",
				"Bucket cannot have public ACLs set with BlockPublicAccess enabled")
		}
	}
	b.Config[configACL], _ = json.Marshal(grants)
	return nil
}

// bucketListPage is a ListBuckets page: max-buckets (1 to 10000), the
// continuation-token (the last name of the previous page) and prefix.
type bucketListPage struct {
	max           int
	after, prefix string
}

func bucketPage(req *Request) (bucketListPage, *s3err.Error) {
	q := req.Query
	p := bucketListPage{max: 10000, after: q.Get("continuation-token"), prefix: q.Get("prefix")}
	if v := q.Get("max-buckets"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return p, errInvalidArgument("Argument max-buckets must be an integer between 1 and 10000.", "max-buckets").With("ArgumentValue", v)
		}
		p.max = n
	}
	return p, nil
}

// includes reports whether a bucket name belongs on the page (names come
// in order).
func (p bucketListPage) includes(name string) bool {
	return name > p.after && strings.HasPrefix(name, p.prefix)
}

// checkOwnershipChange refuses BucketOwnerEnforced for a bucket whose ACL
// grants anyone but the owner (400 InvalidBucketAclWithObjectOwnership),
// as S3 does: its ACL must be reset to private first.
func (h *Handler) checkOwnershipChange(b *store.Bucket, ownership string) *s3err.Error {
	if ownership != "BucketOwnerEnforced" {
		return nil
	}
	id := CanonicalUserID(h.BucketOwner(b))
	grants, err := decodeACL(b.Config[configACL], nil)
	if err != nil || !aclOwnerOnly(grants, id) {
		return s3err.New(http.StatusBadRequest, "InvalidBucketAclWithObjectOwnership",
			"Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
	}
	return nil
}
