package policy

import (
	"fmt"
	"sort"
	"strings"
)

// ResourceKind says which resource an S3 authorization check is against.
type ResourceKind uint8

const (
	// ResourceAll is "*" (account-level operations such as ListBuckets).
	ResourceAll ResourceKind = iota
	// ResourceBucket is arn:aws:s3:::BUCKET (or the access point ARN).
	ResourceBucket
	// ResourceObject is arn:aws:s3:::BUCKET/KEY (or ACCESSPOINT/object/KEY).
	ResourceObject
	// ResourceSourceObject is the copy source object of CopyObject and UploadPartCopy.
	ResourceSourceObject
	// ResourceAccessPoint is arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME.
	ResourceAccessPoint
)

// String names the resource kind.
func (k ResourceKind) String() string {
	return [...]string{"*", "bucket", "object", "source-object", "accesspoint"}[k]
}

// S3Action is one IAM authorization an S3 operation needs.
type S3Action struct {
	// Action is the IAM action, e.g. "s3:GetObject".
	Action string
	// VersionAction replaces Action when the request names a version ID
	// (e.g. "s3:GetObjectVersion"); "" when versions make no difference.
	VersionAction string
	// Resource is the resource the action is checked against.
	Resource ResourceKind
}

// S3Conditional is an extra authorization an operation needs only when the
// request carries a given header.
type S3Conditional struct {
	// Header is the request header that triggers the check, e.g. "x-amz-acl".
	Header string
	// Action is checked against the operation's (destination) object.
	Action string
}

// S3Op describes one S3 REST operation for authorization.
type S3Op struct {
	// Name is the REST operation name, e.g. "GetObject".
	Name string
	// Actions are the checks every request of the operation needs.
	Actions []S3Action
	// Conditional are checks needed only when a header is present.
	Conditional []S3Conditional
	// Keys are the operation-specific condition keys the request supplies
	// (in addition to S3CommonKeys()), e.g. "s3:prefix" for listings.
	// Keys ending in "/" are families: "s3:RequestObjectTag/" + tag key.
	Keys []string
	// PerKey marks DeleteObjects: one check per key of the request body.
	PerKey bool
}

// S3CommonKeys returns the condition keys supplied with every S3 request
// made through a VPC endpoint (aws:SourceIp is absent through endpoints;
// see aws:VpcSourceIp). Principal keys are derived from Request.Principal.
func S3CommonKeys() []string { return append([]string(nil), commonKeys...) }

var commonKeys = []string{
	"aws:SourceVpce", "aws:SourceVpc", "aws:SourceVpcArn", "aws:VpcSourceIp",
	"aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:userid", "aws:username",
	"aws:SecureTransport", "aws:CurrentTime", "aws:EpochTime", "aws:RequestedRegion",
	"aws:ResourceAccount", "s3:ResourceAccount", "aws:UserAgent", "aws:Referer",
	"s3:authType", "s3:signatureversion", "s3:signatureAge", "s3:x-amz-content-sha256", "s3:TlsVersion",
}

var (
	listKeys      = []string{"s3:prefix", "s3:delimiter", "s3:max-keys"}
	putObjectKeys = []string{"s3:x-amz-acl", "s3:x-amz-grant-read", "s3:x-amz-grant-write", "s3:x-amz-grant-read-acp",
		"s3:x-amz-grant-write-acp", "s3:x-amz-grant-full-control", "s3:x-amz-server-side-encryption",
		"s3:x-amz-server-side-encryption-aws-kms-key-id", "s3:x-amz-server-side-encryption-customer-algorithm", "s3:x-amz-storage-class", "s3:x-amz-website-redirect-location",
		"s3:RequestObjectTag/", "s3:RequestObjectTagKeys", "s3:object-lock-mode", "s3:object-lock-retain-until-date",
		"s3:object-lock-legal-hold"}
	copyKeys       = append([]string{"s3:x-amz-copy-source", "s3:x-amz-metadata-directive"}, putObjectKeys...)
	existingTag    = []string{"s3:ExistingObjectTag/", "s3:VersionId"}
	putTaggingKeys = []string{"s3:ExistingObjectTag/", "s3:RequestObjectTag/", "s3:RequestObjectTagKeys", "s3:VersionId"}
	aclKeys        = []string{"s3:x-amz-acl", "s3:x-amz-grant-read", "s3:x-amz-grant-write", "s3:x-amz-grant-read-acp", "s3:x-amz-grant-write-acp", "s3:x-amz-grant-full-control"}
	aclTagConds    = []S3Conditional{{"x-amz-acl", "s3:PutObjectAcl"}, {"x-amz-grant-*", "s3:PutObjectAcl"}, {"x-amz-tagging", "s3:PutObjectTagging"}}
	// bypassConds: a request that asks to bypass GOVERNANCE retention needs
	// s3:BypassGovernanceRetention on the object.
	bypassConds = []S3Conditional{{"x-amz-bypass-governance-retention", "s3:BypassGovernanceRetention"}}
)

func one(action, version string, r ResourceKind) []S3Action {
	return []S3Action{{Action: action, VersionAction: version, Resource: r}}
}

// s3Ops is the operation table. Sources: the S3 API reference (each
// operation's "Permissions" section) and the Service Authorization
// Reference for Amazon S3.
var s3Ops = []S3Op{
	{Name: "ListBuckets", Actions: one("s3:ListAllMyBuckets", "", ResourceAll)},
	{Name: "ListObjects", Actions: one("s3:ListBucket", "", ResourceBucket), Keys: listKeys},
	{Name: "ListObjectsV2", Actions: one("s3:ListBucket", "", ResourceBucket), Keys: listKeys},
	{Name: "HeadBucket", Actions: one("s3:ListBucket", "", ResourceBucket)},
	{Name: "CreateBucket", Actions: one("s3:CreateBucket", "", ResourceBucket), Keys: append([]string{"s3:LocationConstraint", "s3:x-amz-object-ownership"}, aclKeys...),
		Conditional: []S3Conditional{{"x-amz-acl", "s3:PutBucketAcl"}, {"x-amz-bucket-object-lock-enabled", "s3:PutBucketObjectLockConfiguration"}}},
	{Name: "DeleteBucket", Actions: one("s3:DeleteBucket", "", ResourceBucket)},
	{Name: "GetBucketLocation", Actions: one("s3:GetBucketLocation", "", ResourceBucket)},
	{Name: "GetBucketVersioning", Actions: one("s3:GetBucketVersioning", "", ResourceBucket)},
	{Name: "PutBucketVersioning", Actions: one("s3:PutBucketVersioning", "", ResourceBucket)},
	{Name: "ListObjectVersions", Actions: one("s3:ListBucketVersions", "", ResourceBucket), Keys: listKeys},
	{Name: "GetObject", Actions: one("s3:GetObject", "s3:GetObjectVersion", ResourceObject), Keys: existingTag},
	{Name: "HeadObject", Actions: one("s3:GetObject", "s3:GetObjectVersion", ResourceObject), Keys: existingTag},
	{Name: "GetObjectAttributes", Actions: []S3Action{{"s3:GetObject", "s3:GetObjectVersion", ResourceObject}, {"s3:GetObjectAttributes", "s3:GetObjectVersionAttributes", ResourceObject}}, Keys: existingTag},
	{Name: "PutObject", Actions: one("s3:PutObject", "", ResourceObject), Conditional: aclTagConds, Keys: putObjectKeys},
	{Name: "CopyObject", Actions: []S3Action{{"s3:GetObject", "s3:GetObjectVersion", ResourceSourceObject}, {"s3:PutObject", "", ResourceObject}}, Conditional: aclTagConds, Keys: copyKeys},
	{Name: "DeleteObject", Actions: one("s3:DeleteObject", "s3:DeleteObjectVersion", ResourceObject), Conditional: bypassConds, Keys: []string{"s3:VersionId"}},
	{Name: "DeleteObjects", Actions: one("s3:DeleteObject", "s3:DeleteObjectVersion", ResourceObject), Conditional: bypassConds, PerKey: true},
	{Name: "CreateMultipartUpload", Actions: one("s3:PutObject", "", ResourceObject), Conditional: aclTagConds, Keys: putObjectKeys},
	{Name: "UploadPart", Actions: one("s3:PutObject", "", ResourceObject)},
	{Name: "UploadPartCopy", Actions: []S3Action{{"s3:GetObject", "s3:GetObjectVersion", ResourceSourceObject}, {"s3:PutObject", "", ResourceObject}}, Keys: []string{"s3:x-amz-copy-source"}},
	{Name: "CompleteMultipartUpload", Actions: one("s3:PutObject", "", ResourceObject)},
	{Name: "AbortMultipartUpload", Actions: one("s3:AbortMultipartUpload", "", ResourceObject)},
	{Name: "ListParts", Actions: one("s3:ListMultipartUploadParts", "", ResourceObject)},
	{Name: "ListMultipartUploads", Actions: one("s3:ListBucketMultipartUploads", "", ResourceBucket), Keys: listKeys},
	{Name: "GetObjectTagging", Actions: one("s3:GetObjectTagging", "s3:GetObjectVersionTagging", ResourceObject), Keys: existingTag},
	{Name: "PutObjectTagging", Actions: one("s3:PutObjectTagging", "s3:PutObjectVersionTagging", ResourceObject), Keys: putTaggingKeys},
	{Name: "DeleteObjectTagging", Actions: one("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging", ResourceObject), Keys: existingTag},
	{Name: "GetBucketTagging", Actions: one("s3:GetBucketTagging", "", ResourceBucket)},
	{Name: "PutBucketTagging", Actions: one("s3:PutBucketTagging", "", ResourceBucket)},
	{Name: "DeleteBucketTagging", Actions: one("s3:PutBucketTagging", "", ResourceBucket)},
	{Name: "GetBucketPolicy", Actions: one("s3:GetBucketPolicy", "", ResourceBucket)},
	{Name: "PutBucketPolicy", Actions: one("s3:PutBucketPolicy", "", ResourceBucket)},
	{Name: "DeleteBucketPolicy", Actions: one("s3:DeleteBucketPolicy", "", ResourceBucket)},
	{Name: "GetBucketPolicyStatus", Actions: one("s3:GetBucketPolicyStatus", "", ResourceBucket)},
	{Name: "GetObjectAcl", Actions: one("s3:GetObjectAcl", "s3:GetObjectVersionAcl", ResourceObject), Keys: []string{"s3:VersionId"}},
	{Name: "PutObjectAcl", Actions: one("s3:PutObjectAcl", "s3:PutObjectVersionAcl", ResourceObject), Keys: append([]string{"s3:VersionId"}, aclKeys...)},
	{Name: "GetBucketAcl", Actions: one("s3:GetBucketAcl", "", ResourceBucket)},
	{Name: "PutBucketAcl", Actions: one("s3:PutBucketAcl", "", ResourceBucket), Keys: aclKeys},
	{Name: "GetBucketCors", Actions: one("s3:GetBucketCORS", "", ResourceBucket)},
	{Name: "PutBucketCors", Actions: one("s3:PutBucketCORS", "", ResourceBucket)},
	{Name: "DeleteBucketCors", Actions: one("s3:PutBucketCORS", "", ResourceBucket)},
	{Name: "GetBucketEncryption", Actions: one("s3:GetEncryptionConfiguration", "", ResourceBucket)},
	{Name: "PutBucketEncryption", Actions: one("s3:PutEncryptionConfiguration", "", ResourceBucket)},
	{Name: "DeleteBucketEncryption", Actions: one("s3:PutEncryptionConfiguration", "", ResourceBucket)},
	{Name: "GetBucketLifecycleConfiguration", Actions: one("s3:GetLifecycleConfiguration", "", ResourceBucket)},
	{Name: "PutBucketLifecycleConfiguration", Actions: one("s3:PutLifecycleConfiguration", "", ResourceBucket)},
	{Name: "DeleteBucketLifecycle", Actions: one("s3:PutLifecycleConfiguration", "", ResourceBucket)},
	{Name: "GetPublicAccessBlock", Actions: one("s3:GetBucketPublicAccessBlock", "", ResourceBucket)},
	{Name: "PutPublicAccessBlock", Actions: one("s3:PutBucketPublicAccessBlock", "", ResourceBucket)},
	{Name: "DeletePublicAccessBlock", Actions: one("s3:PutBucketPublicAccessBlock", "", ResourceBucket)},
	{Name: "GetBucketOwnershipControls", Actions: one("s3:GetBucketOwnershipControls", "", ResourceBucket)},
	{Name: "PutBucketOwnershipControls", Actions: one("s3:PutBucketOwnershipControls", "", ResourceBucket)},
	{Name: "RestoreObject", Actions: one("s3:RestoreObject", "", ResourceObject)},
	{Name: "DeleteBucketOwnershipControls", Actions: one("s3:PutBucketOwnershipControls", "", ResourceBucket)},
	{Name: "GetBucketWebsite", Actions: one("s3:GetBucketWebsite", "", ResourceBucket)},
	{Name: "PutBucketWebsite", Actions: one("s3:PutBucketWebsite", "", ResourceBucket)},
	{Name: "DeleteBucketWebsite", Actions: one("s3:DeleteBucketWebsite", "", ResourceBucket)},
	{Name: "GetBucketLogging", Actions: one("s3:GetBucketLogging", "", ResourceBucket)},
	{Name: "PutBucketLogging", Actions: one("s3:PutBucketLogging", "", ResourceBucket)},
	{Name: "GetBucketNotificationConfiguration", Actions: one("s3:GetBucketNotification", "", ResourceBucket)},
	{Name: "PutBucketNotificationConfiguration", Actions: one("s3:PutBucketNotification", "", ResourceBucket)},
	{Name: "GetBucketReplication", Actions: one("s3:GetReplicationConfiguration", "", ResourceBucket)},
	{Name: "PutBucketReplication", Actions: one("s3:PutReplicationConfiguration", "", ResourceBucket)},
	{Name: "DeleteBucketReplication", Actions: one("s3:PutReplicationConfiguration", "", ResourceBucket)},
	{Name: "GetBucketRequestPayment", Actions: one("s3:GetBucketRequestPayment", "", ResourceBucket)},
	{Name: "PutBucketRequestPayment", Actions: one("s3:PutBucketRequestPayment", "", ResourceBucket)},
	{Name: "GetBucketAccelerateConfiguration", Actions: one("s3:GetAccelerateConfiguration", "", ResourceBucket)},
	{Name: "PutBucketAccelerateConfiguration", Actions: one("s3:PutAccelerateConfiguration", "", ResourceBucket)},
	{Name: "GetObjectLockConfiguration", Actions: one("s3:GetBucketObjectLockConfiguration", "", ResourceBucket)},
	{Name: "PutObjectLockConfiguration", Actions: one("s3:PutBucketObjectLockConfiguration", "", ResourceBucket)},
	{Name: "GetBucketInventoryConfiguration", Actions: one("s3:GetInventoryConfiguration", "", ResourceBucket)},
	{Name: "PutBucketInventoryConfiguration", Actions: one("s3:PutInventoryConfiguration", "", ResourceBucket)},
	{Name: "DeleteBucketInventoryConfiguration", Actions: one("s3:PutInventoryConfiguration", "", ResourceBucket)},
	{Name: "ListBucketInventoryConfigurations", Actions: one("s3:GetInventoryConfiguration", "", ResourceBucket)},
	{Name: "GetBucketAnalyticsConfiguration", Actions: one("s3:GetAnalyticsConfiguration", "", ResourceBucket)},
	{Name: "PutBucketAnalyticsConfiguration", Actions: one("s3:PutAnalyticsConfiguration", "", ResourceBucket)},
	{Name: "DeleteBucketAnalyticsConfiguration", Actions: one("s3:PutAnalyticsConfiguration", "", ResourceBucket)},
	{Name: "ListBucketAnalyticsConfigurations", Actions: one("s3:GetAnalyticsConfiguration", "", ResourceBucket)},
	{Name: "GetBucketMetricsConfiguration", Actions: one("s3:GetMetricsConfiguration", "", ResourceBucket)},
	{Name: "PutBucketMetricsConfiguration", Actions: one("s3:PutMetricsConfiguration", "", ResourceBucket)},
	{Name: "DeleteBucketMetricsConfiguration", Actions: one("s3:PutMetricsConfiguration", "", ResourceBucket)},
	{Name: "ListBucketMetricsConfigurations", Actions: one("s3:GetMetricsConfiguration", "", ResourceBucket)},
	{Name: "GetBucketIntelligentTieringConfiguration", Actions: one("s3:GetIntelligentTieringConfiguration", "", ResourceBucket)},
	{Name: "PutBucketIntelligentTieringConfiguration", Actions: one("s3:PutIntelligentTieringConfiguration", "", ResourceBucket)},
	{Name: "DeleteBucketIntelligentTieringConfiguration", Actions: one("s3:PutIntelligentTieringConfiguration", "", ResourceBucket)},
	{Name: "ListBucketIntelligentTieringConfigurations", Actions: one("s3:GetIntelligentTieringConfiguration", "", ResourceBucket)},
	{Name: "GetObjectRetention", Actions: one("s3:GetObjectRetention", "", ResourceObject), Keys: []string{"s3:VersionId"}},
	{Name: "PutObjectRetention", Actions: one("s3:PutObjectRetention", "", ResourceObject),
		Conditional: bypassConds,
		Keys:        []string{"s3:VersionId", "s3:object-lock-mode", "s3:object-lock-retain-until-date", "s3:object-lock-remaining-retention-days"}},
	{Name: "GetObjectLegalHold", Actions: one("s3:GetObjectLegalHold", "", ResourceObject), Keys: []string{"s3:VersionId"}},
	{Name: "PutObjectLegalHold", Actions: one("s3:PutObjectLegalHold", "", ResourceObject), Keys: []string{"s3:VersionId", "s3:object-lock-legal-hold"}},
	{Name: "GetObjectTorrent", Actions: one("s3:GetObjectTorrent", "s3:GetObjectVersionTorrent", ResourceObject), Keys: existingTag},
	{Name: "SelectObjectContent", Actions: one("s3:GetObject", "", ResourceObject), Keys: existingTag},
	// Access points (S3 Control API, account-scoped; data-plane requests
	// through an access point use the operations above with access point ARNs).
	{Name: "CreateAccessPoint", Actions: one("s3:CreateAccessPoint", "", ResourceAccessPoint), Keys: []string{"s3:DataAccessPointArn", "s3:DataAccessPointAccount", "s3:AccessPointNetworkOrigin"}},
	{Name: "GetAccessPoint", Actions: one("s3:GetAccessPoint", "", ResourceAll)},
	{Name: "DeleteAccessPoint", Actions: one("s3:DeleteAccessPoint", "", ResourceAccessPoint)},
	{Name: "ListAccessPoints", Actions: one("s3:ListAccessPoints", "", ResourceAll)},
	{Name: "GetAccessPointPolicy", Actions: one("s3:GetAccessPointPolicy", "", ResourceAccessPoint)},
	{Name: "PutAccessPointPolicy", Actions: one("s3:PutAccessPointPolicy", "", ResourceAccessPoint)},
	{Name: "DeleteAccessPointPolicy", Actions: one("s3:DeleteAccessPointPolicy", "", ResourceAccessPoint)},
	{Name: "GetAccessPointPolicyStatus", Actions: one("s3:GetAccessPointPolicyStatus", "", ResourceAccessPoint)},
}

// S3Operation returns the table entry of a REST operation (case-sensitive
// name, e.g. "PutObject").
func S3Operation(name string) (S3Op, bool) {
	e, ok := s3OpEntry(name)
	if !ok {
		return S3Op{}, false
	}
	op := *e
	op.Actions = append([]S3Action(nil), op.Actions...)
	op.Conditional = append([]S3Conditional(nil), op.Conditional...)
	op.Keys = append([]string(nil), op.Keys...)
	return op, true
}

// s3OpEntry returns the table's entry for name itself, to read only.
func s3OpEntry(name string) (*S3Op, bool) {
	for i := range s3Ops {
		if s3Ops[i].Name == name {
			return &s3Ops[i], true
		}
	}
	return nil, false
}

// S3Operations returns the names of all operations in the table, sorted.
func S3Operations() []string {
	out := make([]string, len(s3Ops))
	for i, op := range s3Ops {
		out[i] = op.Name
	}
	sort.Strings(out)
	return out
}

// Check is one authorization question derived from an S3 request: evaluate
// a Request with this Action and Resource. All checks of a request must be
// allowed.
type Check struct {
	Action   string
	Resource string
	// Kind says which resource of the request this is (object, copy source, ...).
	Kind ResourceKind
}

// S3Target names what an S3 request touches.
type S3Target struct {
	// Bucket and Key of the request (Key empty for bucket operations).
	Bucket, Key string
	// Versioned is set when the request names a versionId.
	Versioned bool
	// SourceBucket, SourceKey and SourceVersioned describe the copy source
	// of CopyObject and UploadPartCopy.
	SourceBucket, SourceKey string
	SourceVersioned         bool
	// AccessPointARN is set for requests made through an access point
	// (arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME): bucket resources become
	// the access point ARN and objects ARN + "/object/" + key. The bucket
	// policy is then checked separately with the bucket ARNs.
	AccessPointARN string
	// Headers lists the request headers present (lower case) that trigger
	// conditional checks, e.g. "x-amz-acl", "x-amz-tagging".
	Headers []string
}

// BucketARN returns arn:aws:s3:::bucket.
func BucketARN(bucket string) string { return "arn:aws:s3:::" + bucket }

// ObjectARN returns arn:aws:s3:::bucket/key.
func ObjectARN(bucket, key string) string { return "arn:aws:s3:::" + bucket + "/" + key }

// AccessPointARN returns arn:aws:s3:region:account:accesspoint/name.
func AccessPointARN(region, account, name string) string {
	return "arn:aws:s3:" + region + ":" + account + ":accesspoint/" + name
}

// S3Checks returns the checks for a simple request: op on bucket/key, with
// a versionId when versioned. It returns nil for unknown operations and for
// copies (use S3ChecksFor with the copy source). DeleteObjects yields the
// check for one key: call it once per key of the request body.
func S3Checks(op string, bucket, key string, versioned bool) []Check {
	cs, err := S3ChecksFor(op, S3Target{Bucket: bucket, Key: key, Versioned: versioned})
	if err != nil {
		return nil
	}
	return cs
}

// S3ChecksFor returns every check an S3 request needs, in order: for
// CopyObject and UploadPartCopy the source read then the destination
// write, then the conditional checks triggered by t.Headers.
func S3ChecksFor(op string, t S3Target) ([]Check, error) {
	o, ok := s3OpEntry(op) // read only: S3Operation would copy it
	if !ok {
		return nil, fmt.Errorf("policy: unknown S3 operation %q", op)
	}
	var out []Check
	for _, a := range o.Actions {
		action := a.Action
		versioned := t.Versioned
		if a.Resource == ResourceSourceObject {
			versioned = t.SourceVersioned
			if t.SourceBucket == "" {
				return nil, fmt.Errorf("policy: %s needs a copy source bucket", op)
			}
		}
		if versioned && a.VersionAction != "" {
			action = a.VersionAction
		}
		res, err := t.resource(a.Resource, op)
		if err != nil {
			return nil, err
		}
		out = append(out, Check{Action: action, Resource: res, Kind: a.Resource})
	}
	for _, c := range o.Conditional {
		for _, h := range t.Headers {
			if headerMatches(c.Header, h) {
				res, err := t.resource(ResourceObject, op)
				if c.Action == "s3:PutBucketAcl" || c.Action == "s3:PutBucketObjectLockConfiguration" {
					res, err = t.resource(ResourceBucket, op)
				}
				if err != nil {
					return nil, err
				}
				out = appendUnique(out, Check{Action: c.Action, Resource: res, Kind: ResourceObject})
				break
			}
		}
	}
	return out, nil
}

func headerMatches(pattern, h string) bool {
	h = strings.ToLower(h)
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(h, p)
	}
	return h == pattern
}

func appendUnique(cs []Check, c Check) []Check {
	for _, x := range cs {
		if x.Action == c.Action && x.Resource == c.Resource {
			return cs
		}
	}
	return append(cs, c)
}

func (t *S3Target) resource(k ResourceKind, op string) (string, error) {
	switch k {
	case ResourceAll:
		return "*", nil
	case ResourceAccessPoint:
		if t.AccessPointARN == "" {
			return "", fmt.Errorf("policy: %s needs an access point ARN", op)
		}
		return t.AccessPointARN, nil
	case ResourceBucket:
		if t.AccessPointARN != "" {
			return t.AccessPointARN, nil
		}
		if t.Bucket == "" {
			return "", fmt.Errorf("policy: %s needs a bucket", op)
		}
		return BucketARN(t.Bucket), nil
	case ResourceSourceObject:
		return ObjectARN(t.SourceBucket, t.SourceKey), nil
	}
	if t.AccessPointARN != "" {
		return t.AccessPointARN + "/object/" + t.Key, nil
	}
	if t.Bucket == "" {
		return "", fmt.Errorf("policy: %s needs a bucket and key", op)
	}
	return ObjectARN(t.Bucket, t.Key), nil
}
