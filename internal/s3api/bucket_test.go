package s3api_test

import (
	"bytes"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/internal/store"
)

// rawCase is one raw request and the S3 answer expected.
type rawCase struct {
	name, method, path, body string
	status                   int
	code                     string // error code, "" for success
	bodyHas                  string // a substring of the body
}

func runRawCases(t *testing.T, tests []rawCase, srvBuckets ...string) {
	t.Helper()
	srv, c := newServer(t, srvBuckets...)
	put(t, c, srvBuckets[0], "obj", "object body")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			if tt.body != "" {
				body = []byte(tt.body)
			}
			var hdr map[string]string
			if strings.Contains(tt.path, "?cors") { // S3 requires a digest there; SDKs send one
				hdr = contentMD5Header(body) // checksums_test.go
			}
			r := do(t, srv, tt.method, tt.path, body, hdr)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d; body %s", r.Status, tt.status, r.Body)
			}
			if tt.code != "" {
				if e := errorOf(t, r); e.Code != tt.code {
					t.Errorf("code %q (%s), want %q", e.Code, e.Message, tt.code)
				}
			}
			if !bytes.Contains(r.Body, []byte(tt.bodyHas)) {
				t.Errorf("body %s does not contain %q", r.Body, tt.bodyHas)
			}
			if bytes.Contains(r.Body, []byte("object body")) {
				t.Errorf("sub-resource answered with the object body")
			}
		})
	}
}

const notImplementedMessage = "A header you provided implies functionality that is not implemented"

func TestSubresRoutingRaw(t *testing.T) {
	tests := []rawCase{
		{"lifecycle put without Content-MD5", "PUT", "/sb?lifecycle", "<LifecycleConfiguration/>", 400, "InvalidRequest", "Missing required header for this request: Content-MD5"},
		{"lifecycle get", "GET", "/sb?lifecycle", "", 404, "NoSuchLifecycleConfiguration", "<BucketName>sb</BucketName>"},
		{"website put empty", "PUT", "/sb?website", "<WebsiteConfiguration/>", 400, "InvalidArgument", "A value for IndexDocument Suffix must be provided"},
		{"website delete", "DELETE", "/sb?website", "", 204, "", ""},
		{"logging off", "PUT", "/sb?logging", "<BucketLoggingStatus/>", 200, "", ""},
		{"notification", "GET", "/sb?notification", "", 501, "NotImplemented", ""},
		{"replication", "PUT", "/sb?replication", "<x/>", 501, "NotImplemented", ""},
		{"requestPayment", "GET", "/sb?requestPayment", "", 501, "NotImplemented", ""},
		{"accelerate", "PUT", "/sb?accelerate", "<x/>", 501, "NotImplemented", ""},
		{"inventory list", "GET", "/sb?inventory", "", 501, "NotImplemented", ""},
		{"analytics", "PUT", "/sb?analytics&id=a", "<x/>", 501, "NotImplemented", ""},
		{"metrics", "DELETE", "/sb?metrics&id=a", "", 501, "NotImplemented", ""},
		{"intelligent-tiering", "GET", "/sb?intelligent-tiering", "", 501, "NotImplemented", ""},
		{"object-lock put", "PUT", "/sb?object-lock", "<x/>", 400, "InvalidRequest", "Missing required header for this request: Content-MD5 OR x-amz-checksum-*"},
		{"object-lock get", "GET", "/sb?object-lock", "", 404, "ObjectLockConfigurationNotFoundError", ""},
		// A sub-resource PUT on a missing bucket must not create it.
		{"website on missing bucket", "PUT", "/sb-missing?website", "<x/>", 404, "NoSuchBucket", ""},
		{"cors on missing bucket", "PUT", "/sb-missing?cors", "<x/>", 404, "NoSuchBucket", ""},
		{"missing bucket still missing", "GET", "/sb-missing?acl", "", 404, "NoSuchBucket", ""},
		{"retention get", "GET", "/sb/obj?retention", "", 400, "InvalidRequest", "Bucket is missing Object Lock Configuration"},
		{"retention put", "PUT", "/sb/obj?retention", "<Retention/>", 400, "InvalidRequest", "Bucket is missing Object Lock Configuration"},
		{"legal-hold get", "GET", "/sb/obj?legal-hold", "", 400, "InvalidRequest", "Bucket is missing Object Lock Configuration"},
		{"legal-hold put", "PUT", "/sb/obj?legal-hold", "<LegalHold/>", 400, "InvalidRequest", ""},
		{"torrent", "GET", "/sb/obj?torrent", "", 404, "NoSuchKey", "<Key>obj</Key>"},
		{"object acl", "GET", "/sb/obj?acl", "", 200, "", "<Permission>FULL_CONTROL</Permission>"},
		{"object acl missing key", "GET", "/sb/nokey?acl", "", 404, "NoSuchKey", ""},
		{"bucket acl", "GET", "/sb?acl", "", 200, "", `xsi:type="CanonicalUser"`},
		{"cors malformed", "PUT", "/sb?cors", "<CORSConfiguration><CORSRule>", 400, "MalformedXML", ""},
		{"cors wrong root", "PUT", "/sb?cors", "<Other/>", 400, "MalformedXML", ""},
		{"cors no rule", "PUT", "/sb?cors", "<CORSConfiguration/>", 400, "MalformedXML", ""},
		{"cors bad method", "PUT", "/sb?cors", "<CORSConfiguration><CORSRule><AllowedMethod>PATCH</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>",
			400, "InvalidRequest", "Unsupported method is PATCH"},
		{"pab malformed", "PUT", "/sb?publicAccessBlock", "not xml", 400, "MalformedXML", ""},
		{"ownership bad value", "PUT", "/sb?ownershipControls", "<OwnershipControls><Rule><ObjectOwnership>Nobody</ObjectOwnership></Rule></OwnershipControls>", 400, "MalformedXML", ""},
		{"encryption malformed", "PUT", "/sb?encryption", "<ServerSideEncryptionConfiguration>", 400, "MalformedXML", ""},
		{"encryption default", "GET", "/sb?encryption", "", 200, "", "<SSEAlgorithm>AES256</SSEAlgorithm>"},
		{"versioning never set", "GET", "/sb?versioning", "", 200, "", `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></VersioningConfiguration>`},
		{"versioning malformed", "PUT", "/sb?versioning", "<VersioningConfiguration>", 400, "MalformedXML", ""},
		{"versioning bad status", "PUT", "/sb?versioning", "<VersioningConfiguration><Status>On</Status></VersioningConfiguration>", 400, "MalformedXML", ""},
		{"acl public with owner enforced", "PUT", "/sb?acl", `<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`,
			400, "AccessControlListNotSupported", "The bucket does not allow ACLs"},
		{"acl malformed", "PUT", "/sb?acl", "<AccessControlPolicy>", 400, "MalformedACLError", ""},
		{"create invalid name upper", "PUT", "/Invalid-Bucket", "", 400, "InvalidBucketName", "The specified bucket is not valid."},
		{"create invalid name short", "PUT", "/ab", "", 400, "InvalidBucketName", ""},
		{"create invalid name ip", "PUT", "/192.168.5.4", "", 400, "InvalidBucketName", ""},
		{"create invalid name xn--", "PUT", "/xn--bucket", "", 400, "InvalidBucketName", ""},
		{"create invalid name s3alias", "PUT", "/bucket-s3alias", "", 400, "InvalidBucketName", ""},
		{"create invalid name dots", "PUT", "/a..b", "", 400, "InvalidBucketName", ""},
		{"create invalid name underscore", "PUT", "/a_b_c", "", 400, "InvalidBucketName", ""},
		{"create malformed body", "PUT", "/sb-new-one", "<CreateBucketConfiguration>", 400, "MalformedXML", ""},
		{"create valid", "PUT", "/sb.valid-name.2", "", 200, "", ""},
		{"create existing us-east-1", "PUT", "/sb.valid-name.2", "", 200, "", ""},
		{"created is listed", "GET", "/sb.valid-name.2?list-type=2", "", 200, "", "<KeyCount>0</KeyCount>"},
	}
	runRawCases(t, tests, "sb")
}

func TestSubresBucketConfigSDK(t *testing.T) {
	_, c := newServer(t, "sbc")
	ctx := t.Context()
	b := aws.String("sbc")

	// CORS: none, put, get, delete.
	if _, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b}); !strings.HasPrefix(apiError(err), "NoSuchCORSConfiguration: The CORS configuration does not exist") {
		t.Errorf("GetBucketCors before put: %v", apiError(err))
	}
	rule := types.CORSRule{AllowedMethods: []string{"GET", "PUT"}, AllowedOrigins: []string{"https://example.com"}, AllowedHeaders: []string{"*"},
		ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(300), ID: aws.String("r1")}
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{rule}}}); err != nil {
		t.Fatalf("PutBucketCors: %v", apiError(err))
	}
	got, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b})
	if err != nil || len(got.CORSRules) != 1 || aws.ToString(got.CORSRules[0].ID) != "r1" || aws.ToInt32(got.CORSRules[0].MaxAgeSeconds) != 300 ||
		strings.Join(got.CORSRules[0].AllowedMethods, ",") != "GET,PUT" || got.CORSRules[0].AllowedOrigins[0] != "https://example.com" {
		t.Errorf("GetBucketCors = %+v, %v", got, apiError(err))
	}
	if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: b}); err != nil {
		t.Fatalf("DeleteBucketCors: %v", apiError(err))
	}
	if _, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b}); !strings.HasPrefix(apiError(err), "NoSuchCORSConfiguration:") {
		t.Errorf("GetBucketCors after delete: %v", apiError(err))
	}

	// Public access block: on by default for buckets CreateBucket makes;
	// none for a bucket made otherwise (as S3 buckets before April 2023).
	if _, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b}); !strings.HasPrefix(apiError(err), "NoSuchPublicAccessBlockConfiguration") {
		t.Errorf("GetPublicAccessBlock of a bucket made in the store: %v, want NoSuchPublicAccessBlockConfiguration", apiError(err))
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sbc-new")}); err != nil {
		t.Fatal(err)
	}
	pab, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("sbc-new")})
	if err != nil || !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls) || !aws.ToBool(pab.PublicAccessBlockConfiguration.RestrictPublicBuckets) {
		t.Errorf("GetPublicAccessBlock default = %+v, %v", pab, apiError(err))
	}
	if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(false)}}); err != nil {
		t.Fatalf("PutPublicAccessBlock: %v", apiError(err))
	}
	pab, err = c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	if err != nil || !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls) || aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicPolicy) {
		t.Errorf("GetPublicAccessBlock = %+v, %v", pab, apiError(err))
	}
	if _, err := c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b}); err != nil {
		t.Fatalf("DeletePublicAccessBlock: %v", apiError(err))
	}
	if _, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b}); !strings.HasPrefix(apiError(err), "NoSuchPublicAccessBlockConfiguration: The public access block configuration was not found") {
		t.Errorf("GetPublicAccessBlock after delete: %v", apiError(err))
	}

	// Ownership controls: BucketOwnerEnforced by default.
	oc, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
	if err != nil || oc.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerEnforced {
		t.Errorf("GetBucketOwnershipControls default = %+v, %v", oc, apiError(err))
	}
	if _, err := c.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: b}); err != nil {
		t.Fatalf("DeleteBucketOwnershipControls: %v", apiError(err))
	}
	if _, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b}); !strings.HasPrefix(apiError(err), "OwnershipControlsNotFoundError: The bucket ownership controls were not found") {
		t.Errorf("GetBucketOwnershipControls after delete: %v", apiError(err))
	}
	if _, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{
		Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}}); err != nil {
		t.Fatalf("PutBucketOwnershipControls: %v", apiError(err))
	}
	oc, err = c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
	if err != nil || oc.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipObjectWriter {
		t.Errorf("GetBucketOwnershipControls = %+v, %v", oc, apiError(err))
	}

	// ACLs, now that the bucket allows them.
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPublicRead}); err != nil {
		t.Fatalf("PutBucketAcl public-read: %v", apiError(err))
	}
	acl, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})
	if err != nil || len(acl.Grants) != 2 || acl.Grants[0].Permission != types.PermissionFullControl || acl.Grants[0].Grantee.Type != types.TypeCanonicalUser ||
		aws.ToString(acl.Grants[1].Grantee.URI) != "http://acs.amazonaws.com/groups/global/AllUsers" || acl.Grants[1].Permission != types.PermissionRead ||
		aws.ToString(acl.Owner.ID) == "" {
		t.Errorf("GetBucketAcl = %+v, %v", acl, apiError(err))
	}

	// Encryption: SSE-S3 by default, a put replaces it, a delete restores it.
	enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	if err != nil || enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Errorf("GetBucketEncryption default = %+v, %v", enc, apiError(err))
	}
	if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("alias/k")}, BucketKeyEnabled: aws.Bool(true)}}}}); err != nil {
		t.Fatalf("PutBucketEncryption: %v", apiError(err))
	}
	enc, err = c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	if err != nil || enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAwsKms ||
		!aws.ToBool(enc.ServerSideEncryptionConfiguration.Rules[0].BucketKeyEnabled) {
		t.Errorf("GetBucketEncryption = %+v, %v", enc, apiError(err))
	}
	if _, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: b}); err != nil {
		t.Fatalf("DeleteBucketEncryption: %v", apiError(err))
	}
	enc, err = c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	if err != nil || enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Errorf("GetBucketEncryption after delete = %+v, %v", enc, apiError(err))
	}

	// Sub-resources not emulated, through the SDK.
	if _, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: b, ReplicationConfiguration: &types.ReplicationConfiguration{
		Role: aws.String("arn:aws:iam::123456789012:role/r"), Rules: []types.ReplicationRule{{Status: types.ReplicationRuleStatusEnabled,
			Destination: &types.Destination{Bucket: aws.String("arn:aws:s3:::dest")}}}}}); apiError(err) != "NotImplemented: "+notImplementedMessage {
		t.Errorf("PutBucketReplication: %v", apiError(err))
	}
}

func TestSubresObjectSDK(t *testing.T) {
	_, c := newServer(t, "sbo")
	ctx := t.Context()
	put(t, c, "sbo", "k", "body")
	acl, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("sbo"), Key: aws.String("k")})
	if err != nil || len(acl.Grants) != 1 || acl.Grants[0].Permission != types.PermissionFullControl || aws.ToString(acl.Grants[0].Grantee.ID) != aws.ToString(acl.Owner.ID) {
		t.Errorf("GetObjectAcl = %+v, %v", acl, apiError(err))
	}
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("sbo"), Key: aws.String("k"), ACL: types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
		t.Errorf("PutObjectAcl bucket-owner-full-control: %v", apiError(err))
	}
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("sbo"), Key: aws.String("k"), ACL: types.ObjectCannedACLPublicRead}); !strings.HasPrefix(apiError(err), "AccessControlListNotSupported:") {
		t.Errorf("PutObjectAcl public-read with ACLs disabled: %v", apiError(err))
	}
	if _, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("sbo"), Key: aws.String("k")}); apiError(err) != "InvalidRequest: Bucket is missing Object Lock Configuration" {
		t.Errorf("GetObjectRetention: %v", apiError(err))
	}
	if _, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("sbo"), Key: aws.String("k")}); apiError(err) != "InvalidRequest: Bucket is missing Object Lock Configuration" {
		t.Errorf("GetObjectLegalHold: %v", apiError(err))
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sbo")}); err != nil {
		t.Errorf("CreateBucket of an owned bucket in us-east-1: %v, want 200", apiError(err))
	}
}

// versionIdentifiers lists every version and delete marker of bucket.
func versionIdentifiers(t *testing.T, c *s3.Client, bucket string) []types.ObjectIdentifier {
	t.Helper()
	out, err := c.ListObjectVersions(t.Context(), &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("ListObjectVersions: %v", apiError(err))
	}
	var ids []types.ObjectIdentifier
	for _, v := range out.Versions {
		ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: nilIfEmpty(v.VersionId)})
	}
	for _, m := range out.DeleteMarkers {
		ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: nilIfEmpty(m.VersionId)})
	}
	return ids
}

// nilIfEmpty is what S3 lists for a version of an unversioned bucket.
func nilIfEmpty(s *string) *string {
	if aws.ToString(s) == "" {
		return aws.String("null")
	}
	return s
}

func TestSubresVersioningSDK(t *testing.T) {
	tests := []struct {
		name       string
		versioning types.BucketVersioningStatus // "" never set
	}{
		{"unversioned", ""},
		{"enabled", types.BucketVersioningStatusEnabled},
		{"suspended", types.BucketVersioningStatusSuspended},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newServer(t, "sbv")
			ctx := t.Context()
			b := aws.String("sbv")
			put(t, c, "sbv", "before", "v0")
			if tt.versioning != "" {
				if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
					t.Fatalf("PutBucketVersioning: %v", apiError(err))
				}
				put(t, c, "sbv", "a", "a1")
				put(t, c, "sbv", "a", "a2")
				put(t, c, "sbv", "gone", "g")
				del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("gone")})
				if err != nil || !aws.ToBool(del.DeleteMarker) || aws.ToString(del.VersionId) == "" {
					t.Fatalf("DeleteObject in a versioned bucket = %+v, %v; want a delete marker", del, apiError(err))
				}
				if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("gone")}); !strings.HasPrefix(apiError(err), "NoSuchKey:") {
					t.Errorf("GetObject behind a delete marker: %v", apiError(err))
				}
				_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("gone"), VersionId: del.VersionId})
				if !strings.HasPrefix(apiError(err), "MethodNotAllowed:") {
					t.Errorf("GetObject of a delete marker version: %v, want MethodNotAllowed", apiError(err))
				}
				if tt.versioning == types.BucketVersioningStatusSuspended {
					if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: tt.versioning}}); err != nil {
						t.Fatalf("PutBucketVersioning: %v", apiError(err))
					}
				}
				v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
				if err != nil || v.Status != tt.versioning {
					t.Errorf("GetBucketVersioning = %q, %v; want %q", v.Status, apiError(err), tt.versioning)
				}
			}
			// Emptying the bucket the usual way leaves nothing behind.
			ids := versionIdentifiers(t, c, "sbv")
			out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: ids}})
			if err != nil || len(out.Errors) != 0 || len(out.Deleted) != len(ids) {
				t.Fatalf("DeleteObjects(%d) = %d deleted, errors %+v, %v", len(ids), len(out.Deleted), out.Errors, apiError(err))
			}
			if left := versionIdentifiers(t, c, "sbv"); len(left) != 0 {
				t.Errorf("versions left after DeleteObjects: %d", len(left))
			}
			if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b}); err != nil {
				t.Errorf("DeleteBucket after emptying: %v", apiError(err))
			}
		})
	}
}

func TestSubresDeleteVersionRaw(t *testing.T) {
	srv, c := newServer(t, "sbd")
	ctx := t.Context()
	put(t, c, "sbd", "plain", "p")
	// versionId=null removes the object of an unversioned bucket.
	r := do(t, srv, "DELETE", "/sbd/plain?versionId=null", nil, nil)
	if r.Status != 204 || r.Header.Get("x-amz-version-id") != "null" {
		t.Errorf("DELETE versionId=null: %d %v", r.Status, r.Header)
	}
	if r := do(t, srv, "GET", "/sbd/plain", nil, nil); r.Status != 404 {
		t.Errorf("GET after deleting the null version: %d, want 404", r.Status)
	}

	// Versioned: deleting the latest version makes the previous current;
	// the null version written before versioning is addressable as "null".
	put(t, c, "sbd", "k", "null-body")
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("sbd"), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(apiError(err))
	}
	p1, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sbd"), Key: aws.String("k"), Body: strings.NewReader("v1")})
	if err != nil {
		t.Fatal(apiError(err))
	}
	p2, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sbd"), Key: aws.String("k"), Body: strings.NewReader("v2")})
	if err != nil {
		t.Fatal(apiError(err))
	}
	body := func() string {
		t.Helper()
		o, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sbd"), Key: aws.String("k")})
		if err != nil {
			var nf *types.NoSuchKey
			if errors.As(err, &nf) {
				return "404"
			}
			t.Fatalf("GetObject: %v", apiError(err))
		}
		defer o.Body.Close()
		b, _ := io.ReadAll(o.Body)
		return string(b)
	}
	steps := []struct {
		version, want string
	}{
		{aws.ToString(p2.VersionId), "v1"},
		{"null", "v1"},
		{aws.ToString(p1.VersionId), "404"},
	}
	for _, s := range steps {
		r := do(t, srv, "DELETE", "/sbd/k?versionId="+s.version, nil, nil)
		if r.Status != 204 || r.Header.Get("x-amz-version-id") != s.version {
			t.Errorf("DELETE versionId=%s: %d %v", s.version, r.Status, r.Header)
		}
		if got := body(); got != s.want {
			t.Errorf("after deleting %s: current body %q, want %q", s.version, got, s.want)
		}
	}
	if left := versionIdentifiers(t, c, "sbd"); len(left) != 0 {
		t.Errorf("versions left: %+v", left)
	}

	// A delete marker: its headers, 405 on GET by version, 404 on GET.
	put(t, c, "sbd", "m", "x")
	r = do(t, srv, "DELETE", "/sbd/m", nil, nil)
	marker := r.Header.Get("x-amz-version-id")
	if r.Status != 204 || r.Header.Get("x-amz-delete-marker") != "true" || marker == "" {
		t.Fatalf("DELETE in a versioned bucket: %d %v", r.Status, r.Header)
	}
	r = do(t, srv, "GET", "/sbd/m?versionId="+marker, nil, nil)
	if r.Status != 405 || errorOf(t, r).Code != "MethodNotAllowed" {
		t.Errorf("GET of a delete marker version: %d %v %s", r.Status, r.Header, r.Body)
	}
	r = do(t, srv, "GET", "/sbd/m", nil, nil)
	if r.Status != 404 || errorOf(t, r).Code != "NoSuchKey" {
		t.Errorf("GET behind a delete marker: %d %v %s", r.Status, r.Header, r.Body)
	}
	// Deleting the marker brings the object back.
	r = do(t, srv, "DELETE", "/sbd/m?versionId="+marker, nil, nil)
	if r.Status != 204 || r.Header.Get("x-amz-delete-marker") != "true" {
		t.Errorf("DELETE of the marker version: %d %v", r.Status, r.Header)
	}
	if r := do(t, srv, "GET", "/sbd/m", nil, nil); r.Status != 200 || string(r.Body) != "x" {
		t.Errorf("GET after removing the marker: %d %s", r.Status, r.Body)
	}
}

func TestBucketOperationsRaw(t *testing.T) {
	srv, c := newServer(t, "full", "empty")
	put(t, c, "full", "k", "v")
	for _, tt := range []struct {
		name, method, path string
		status             int
		code               string            // error code, "" for success
		bodyHas            string            // a substring of the body
		header             map[string]string // response headers expected
	}{
		{name: "head", method: "HEAD", path: "/full", status: 200, header: map[string]string{"X-Amz-Bucket-Region": "us-east-1"}},
		{name: "head missing", method: "HEAD", path: "/nobucket", status: 404},
		{name: "location us-east-1 is empty", method: "GET", path: "/full?location", status: 200,
			bodyHas: `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>`},
		{name: "location missing bucket", method: "GET", path: "/nobucket?location", status: 404, code: "NoSuchBucket"},
		{name: "delete not empty", method: "DELETE", path: "/full", status: 409, code: "BucketNotEmpty", bodyHas: "<BucketName>full</BucketName>"},
		{name: "delete missing", method: "DELETE", path: "/nobucket", status: 404, code: "NoSuchBucket", bodyHas: "<BucketName>nobucket</BucketName>"},
		{name: "delete empty", method: "DELETE", path: "/empty", status: 204},
		{name: "deleted is gone", method: "HEAD", path: "/empty", status: 404},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, tt.method, tt.path, nil, nil)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d; body %s", r.Status, tt.status, r.Body)
			}
			if tt.code != "" {
				if e := errorOf(t, r); e.Code != tt.code {
					t.Errorf("code %q (%s), want %q", e.Code, e.Message, tt.code)
				}
			}
			if !bytes.Contains(r.Body, []byte(tt.bodyHas)) {
				t.Errorf("body %s does not contain %q", r.Body, tt.bodyHas)
			}
			for k, v := range tt.header {
				if got := r.Header.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
		})
	}
	t.Run("ListBuckets", func(t *testing.T) {
		if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("another")}); err != nil {
			t.Fatal(apiError(err))
		}
		out, err := c.ListBuckets(t.Context(), &s3.ListBucketsInput{})
		if err != nil {
			t.Fatal(apiError(err))
		}
		var names []string
		for _, b := range out.Buckets {
			names = append(names, aws.ToString(b.Name))
			if b.CreationDate == nil || b.CreationDate.IsZero() {
				t.Errorf("bucket %s: no CreationDate", aws.ToString(b.Name))
			}
		}
		if strings.Join(names, ",") != "another,full" || aws.ToString(out.Owner.ID) == "" {
			t.Errorf("buckets %q owner %+v", names, out.Owner)
		}
	})
}

// Configurations live in the store: a second emulator over the same store
// (as after a restart) answers with what the first was told.
func TestBucketConfigurationInStore(t *testing.T) {
	st := store.NewMemory(store.Options{})
	t.Cleanup(func() { st.Close() })
	withStore := emulatortest.WithOptions(func(o *emulator.Options) { o.Store = st })
	first := emulatortest.New(t, emulatortest.WithBuckets("kept"), withStore)
	c := s3.NewFromConfig(first.AWSConfig(t))
	ctx := t.Context()
	b := aws.String("kept")
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{
		{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}, ID: aws.String("r")}}}}); err != nil {
		t.Fatal(apiError(err))
	}
	if _, err := c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b}); err != nil {
		t.Fatal(apiError(err))
	}
	if _, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{
		Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}}); err != nil {
		t.Fatal(apiError(err))
	}
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPublicRead}); err != nil {
		t.Fatal(apiError(err))
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}); err != nil {
		t.Fatal(apiError(err))
	}
	sb, err := st.Bucket("kept")
	if err != nil {
		t.Fatal(err)
	}
	if sb.Versioning != store.Suspended || string(sb.Config["publicAccessBlock"]) != "null" || string(sb.Config["ownershipControls"]) != `"ObjectWriter"` {
		t.Errorf("store: versioning %q config %q", sb.Versioning, sb.Config)
	}

	second := emulatortest.New(t, withStore)
	c = s3.NewFromConfig(second.AWSConfig(t))
	cors, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b})
	if err != nil || len(cors.CORSRules) != 1 || aws.ToString(cors.CORSRules[0].ID) != "r" {
		t.Errorf("GetBucketCors = %+v, %v", cors, apiError(err))
	}
	if _, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b}); !strings.HasPrefix(apiError(err), "NoSuchPublicAccessBlockConfiguration:") {
		t.Errorf("GetPublicAccessBlock after delete: %v", apiError(err))
	}
	oc, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
	if err != nil || oc.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipObjectWriter {
		t.Errorf("GetBucketOwnershipControls = %+v, %v", oc, apiError(err))
	}
	acl, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})
	if err != nil || len(acl.Grants) != 2 || aws.ToString(acl.Grants[1].Grantee.URI) != "http://acs.amazonaws.com/groups/global/AllUsers" {
		t.Errorf("GetBucketAcl = %+v, %v", acl, apiError(err))
	}
	v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	if err != nil || v.Status != types.BucketVersioningStatusSuspended {
		t.Errorf("GetBucketVersioning = %q, %v", v.Status, apiError(err))
	}
}

// TestCreateBucketOwner: a bucket belongs to the account that created it
// (the owner the bucket policy gate reads from the store).
func TestCreateBucketOwner(t *testing.T) {
	st := store.NewMemory(store.Options{})
	t.Cleanup(func() { st.Close() })
	h := s3api.New(st)
	w := httptest.NewRecorder()
	h.Answer(w, &s3api.Request{Op: "CreateBucket", Bucket: "owned", Account: "111122223333",
		HTTP: httptest.NewRequest("PUT", "/owned", nil)})
	if w.Code != 200 {
		t.Fatalf("CreateBucket: %d %s", w.Code, w.Body)
	}
	b, err := st.Bucket("owned")
	if err != nil || b.Owner != "111122223333" {
		t.Errorf("bucket %+v, %v; want owner 111122223333", b, err)
	}
}
