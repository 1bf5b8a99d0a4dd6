package policy

import (
	"reflect"
	"testing"
)

func TestS3Checks(t *testing.T) {
	tests := []struct {
		op        string
		bucket    string
		key       string
		versioned bool
		want      []Check
	}{
		{"ListBuckets", "", "", false, []Check{{"s3:ListAllMyBuckets", "*", ResourceAll}}},
		{"ListObjects", "b", "", false, []Check{{"s3:ListBucket", "arn:aws:s3:::b", ResourceBucket}}},
		{"ListObjectsV2", "b", "", false, []Check{{"s3:ListBucket", "arn:aws:s3:::b", ResourceBucket}}},
		{"HeadBucket", "b", "", false, []Check{{"s3:ListBucket", "arn:aws:s3:::b", ResourceBucket}}},
		{"ListObjectVersions", "b", "", false, []Check{{"s3:ListBucketVersions", "arn:aws:s3:::b", ResourceBucket}}},
		{"GetObject", "b", "k/x", false, []Check{{"s3:GetObject", "arn:aws:s3:::b/k/x", ResourceObject}}},
		{"GetObject", "b", "k", true, []Check{{"s3:GetObjectVersion", "arn:aws:s3:::b/k", ResourceObject}}},
		{"HeadObject", "b", "k", true, []Check{{"s3:GetObjectVersion", "arn:aws:s3:::b/k", ResourceObject}}},
		{"PutObject", "b", "k", false, []Check{{"s3:PutObject", "arn:aws:s3:::b/k", ResourceObject}}},
		{"DeleteObject", "b", "k", false, []Check{{"s3:DeleteObject", "arn:aws:s3:::b/k", ResourceObject}}},
		{"DeleteObject", "b", "k", true, []Check{{"s3:DeleteObjectVersion", "arn:aws:s3:::b/k", ResourceObject}}},
		{"DeleteObjects", "b", "k1", false, []Check{{"s3:DeleteObject", "arn:aws:s3:::b/k1", ResourceObject}}},
		{"CreateMultipartUpload", "b", "k", false, []Check{{"s3:PutObject", "arn:aws:s3:::b/k", ResourceObject}}},
		{"UploadPart", "b", "k", false, []Check{{"s3:PutObject", "arn:aws:s3:::b/k", ResourceObject}}},
		{"CompleteMultipartUpload", "b", "k", false, []Check{{"s3:PutObject", "arn:aws:s3:::b/k", ResourceObject}}},
		{"AbortMultipartUpload", "b", "k", false, []Check{{"s3:AbortMultipartUpload", "arn:aws:s3:::b/k", ResourceObject}}},
		{"ListParts", "b", "k", false, []Check{{"s3:ListMultipartUploadParts", "arn:aws:s3:::b/k", ResourceObject}}},
		{"ListMultipartUploads", "b", "", false, []Check{{"s3:ListBucketMultipartUploads", "arn:aws:s3:::b", ResourceBucket}}},
		{"GetObjectTagging", "b", "k", true, []Check{{"s3:GetObjectVersionTagging", "arn:aws:s3:::b/k", ResourceObject}}},
		{"PutObjectTagging", "b", "k", false, []Check{{"s3:PutObjectTagging", "arn:aws:s3:::b/k", ResourceObject}}},
		{"DeleteObjectTagging", "b", "k", false, []Check{{"s3:DeleteObjectTagging", "arn:aws:s3:::b/k", ResourceObject}}},
		{"GetBucketTagging", "b", "", false, []Check{{"s3:GetBucketTagging", "arn:aws:s3:::b", ResourceBucket}}},
		{"DeleteBucketTagging", "b", "", false, []Check{{"s3:PutBucketTagging", "arn:aws:s3:::b", ResourceBucket}}},
		{"GetBucketPolicy", "b", "", false, []Check{{"s3:GetBucketPolicy", "arn:aws:s3:::b", ResourceBucket}}},
		{"PutBucketPolicy", "b", "", false, []Check{{"s3:PutBucketPolicy", "arn:aws:s3:::b", ResourceBucket}}},
		{"DeleteBucketPolicy", "b", "", false, []Check{{"s3:DeleteBucketPolicy", "arn:aws:s3:::b", ResourceBucket}}},
		{"GetObjectAcl", "b", "k", true, []Check{{"s3:GetObjectVersionAcl", "arn:aws:s3:::b/k", ResourceObject}}},
		{"PutObjectAcl", "b", "k", false, []Check{{"s3:PutObjectAcl", "arn:aws:s3:::b/k", ResourceObject}}},
		{"GetBucketAcl", "b", "", false, []Check{{"s3:GetBucketAcl", "arn:aws:s3:::b", ResourceBucket}}},
		{"PutBucketAcl", "b", "", false, []Check{{"s3:PutBucketAcl", "arn:aws:s3:::b", ResourceBucket}}},
		{"GetBucketCors", "b", "", false, []Check{{"s3:GetBucketCORS", "arn:aws:s3:::b", ResourceBucket}}},
		{"DeleteBucketCors", "b", "", false, []Check{{"s3:PutBucketCORS", "arn:aws:s3:::b", ResourceBucket}}},
		{"GetBucketLocation", "b", "", false, []Check{{"s3:GetBucketLocation", "arn:aws:s3:::b", ResourceBucket}}},
		{"GetBucketVersioning", "b", "", false, []Check{{"s3:GetBucketVersioning", "arn:aws:s3:::b", ResourceBucket}}},
		{"PutBucketVersioning", "b", "", false, []Check{{"s3:PutBucketVersioning", "arn:aws:s3:::b", ResourceBucket}}},
		{"CreateBucket", "b", "", false, []Check{{"s3:CreateBucket", "arn:aws:s3:::b", ResourceBucket}}},
		{"DeleteBucket", "b", "", false, []Check{{"s3:DeleteBucket", "arn:aws:s3:::b", ResourceBucket}}},
		{"ListAccessPoints", "", "", false, []Check{{"s3:ListAccessPoints", "*", ResourceAll}}},
		{"CopyObject", "b", "k", false, nil},      // needs a copy source: S3ChecksFor
		{"NoSuchOperation", "b", "k", false, nil}, // unknown
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			got := S3Checks(tt.op, tt.bucket, tt.key, tt.versioned)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("S3Checks(%q, %q, %q, %v) = %v, want %v", tt.op, tt.bucket, tt.key, tt.versioned, got, tt.want)
			}
		})
	}
}

func TestS3ChecksFor(t *testing.T) {
	ap := AccessPointARN("us-east-1", "111122223333", "reports")
	tests := []struct {
		name    string
		op      string
		target  S3Target
		want    []Check
		wantErr bool
	}{
		{"copy", "CopyObject", S3Target{Bucket: "dst", Key: "d", SourceBucket: "src", SourceKey: "s"},
			[]Check{{"s3:GetObject", "arn:aws:s3:::src/s", ResourceSourceObject}, {"s3:PutObject", "arn:aws:s3:::dst/d", ResourceObject}}, false},
		{"copy version", "CopyObject", S3Target{Bucket: "dst", Key: "d", SourceBucket: "src", SourceKey: "s", SourceVersioned: true},
			[]Check{{"s3:GetObjectVersion", "arn:aws:s3:::src/s", ResourceSourceObject}, {"s3:PutObject", "arn:aws:s3:::dst/d", ResourceObject}}, false},
		{"upload part copy", "UploadPartCopy", S3Target{Bucket: "dst", Key: "d", SourceBucket: "src", SourceKey: "s"},
			[]Check{{"s3:GetObject", "arn:aws:s3:::src/s", ResourceSourceObject}, {"s3:PutObject", "arn:aws:s3:::dst/d", ResourceObject}}, false},
		{"copy without source", "CopyObject", S3Target{Bucket: "dst", Key: "d"}, nil, true},
		{"put with acl and tagging", "PutObject", S3Target{Bucket: "b", Key: "k", Headers: []string{"X-Amz-Acl", "x-amz-tagging", "content-type"}},
			[]Check{{"s3:PutObject", "arn:aws:s3:::b/k", ResourceObject}, {"s3:PutObjectAcl", "arn:aws:s3:::b/k", ResourceObject}, {"s3:PutObjectTagging", "arn:aws:s3:::b/k", ResourceObject}}, false},
		{"put with grant", "PutObject", S3Target{Bucket: "b", Key: "k", Headers: []string{"x-amz-grant-read"}},
			[]Check{{"s3:PutObject", "arn:aws:s3:::b/k", ResourceObject}, {"s3:PutObjectAcl", "arn:aws:s3:::b/k", ResourceObject}}, false},
		{"get through access point", "GetObject", S3Target{Key: "k", AccessPointARN: ap},
			[]Check{{"s3:GetObject", ap + "/object/k", ResourceObject}}, false},
		{"list through access point", "ListObjectsV2", S3Target{AccessPointARN: ap},
			[]Check{{"s3:ListBucket", ap, ResourceBucket}}, false},
		{"access point policy", "PutAccessPointPolicy", S3Target{AccessPointARN: ap},
			[]Check{{"s3:PutAccessPointPolicy", ap, ResourceAccessPoint}}, false},
		{"access point op without ARN", "DeleteAccessPoint", S3Target{}, nil, true},
		{"bucket op without bucket", "GetBucketPolicy", S3Target{}, nil, true},
		{"unknown", "Frobnicate", S3Target{Bucket: "b"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := S3ChecksFor(tt.op, tt.target)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestS3OperationTable(t *testing.T) {
	required := []string{"ListBuckets", "ListObjects", "ListObjectsV2", "HeadBucket", "CreateBucket", "DeleteBucket",
		"GetBucketLocation", "GetBucketVersioning", "PutBucketVersioning", "ListObjectVersions", "GetObject", "HeadObject",
		"PutObject", "CopyObject", "DeleteObject", "DeleteObjects", "CreateMultipartUpload", "UploadPart", "UploadPartCopy",
		"CompleteMultipartUpload", "AbortMultipartUpload", "ListParts", "ListMultipartUploads", "GetObjectTagging",
		"PutObjectTagging", "DeleteObjectTagging", "GetBucketTagging", "PutBucketTagging", "DeleteBucketTagging",
		"GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy", "GetObjectAcl", "PutObjectAcl", "GetBucketAcl",
		"PutBucketAcl", "GetBucketCors", "PutBucketCors", "DeleteBucketCors", "CreateAccessPoint", "GetAccessPoint",
		"DeleteAccessPoint", "ListAccessPoints", "GetAccessPointPolicy", "PutAccessPointPolicy", "DeleteAccessPointPolicy"}
	for _, name := range required {
		if _, ok := S3Operation(name); !ok {
			t.Errorf("operation %s missing from the table", name)
		}
	}
	seen := map[string]bool{}
	for _, name := range S3Operations() {
		if seen[name] {
			t.Errorf("operation %s listed twice", name)
		}
		seen[name] = true
		op, _ := S3Operation(name)
		for _, a := range op.Actions {
			if msg := checkAction(a.Action); msg != "" || (a.VersionAction != "" && checkAction(a.VersionAction) != "") {
				t.Errorf("%s: bad action %q/%q", name, a.Action, a.VersionAction)
			}
		}
		for _, k := range op.Keys {
			if msg := checkConditionKey(k + "x"); msg != "" {
				t.Errorf("%s: bad key %q: %s", name, k, msg)
			}
		}
	}
	if op, _ := S3Operation("DeleteObjects"); !op.PerKey {
		t.Error("DeleteObjects is not marked PerKey")
	}
	// The table is not mutable through S3Operation.
	op, _ := S3Operation("GetObject")
	op.Actions[0].Action = "s3:Changed"
	if again, _ := S3Operation("GetObject"); again.Actions[0].Action != "s3:GetObject" {
		t.Error("S3Operation returned the table's own slice")
	}
	if len(S3CommonKeys()) == 0 {
		t.Error("no common keys")
	}
}
