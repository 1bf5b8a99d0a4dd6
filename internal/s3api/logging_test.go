package s3api_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestBucketLoggingSDK: PutBucketLogging stores the configuration and
// GetBucketLogging returns it; S3's checks of the target bucket refuse
// the others with its codes; an empty status turns logging off.
func TestBucketLoggingSDK(t *testing.T) {
	_, c := newServer(t, "src", "logs")
	ctx := t.Context()
	put := func(le *types.LoggingEnabled) error {
		_, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("src"),
			BucketLoggingStatus: &types.BucketLoggingStatus{LoggingEnabled: le}})
		return err
	}
	get := func() *types.LoggingEnabled {
		t.Helper()
		out, err := c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("src")})
		if err != nil {
			t.Fatalf("GetBucketLogging: %v", apiError(err))
		}
		return out.LoggingEnabled
	}
	if le := get(); le != nil {
		t.Errorf("new bucket has logging %+v", le)
	}
	le := &types.LoggingEnabled{TargetBucket: aws.String("logs"), TargetPrefix: aws.String("src/"),
		TargetObjectKeyFormat: &types.TargetObjectKeyFormat{PartitionedPrefix: &types.PartitionedPrefix{PartitionDateSource: types.PartitionDateSourceEventTime}}}
	if err := put(le); err != nil {
		t.Fatalf("PutBucketLogging: %v", apiError(err))
	}
	if got := get(); got == nil || aws.ToString(got.TargetBucket) != "logs" || aws.ToString(got.TargetPrefix) != "src/" ||
		got.TargetObjectKeyFormat == nil || got.TargetObjectKeyFormat.PartitionedPrefix.PartitionDateSource != types.PartitionDateSourceEventTime {
		t.Errorf("GetBucketLogging = %+v", got)
	}
	for _, tt := range []struct {
		name string
		le   *types.LoggingEnabled
		want string
	}{
		{"missing target", &types.LoggingEnabled{TargetBucket: aws.String("nosuch"), TargetPrefix: aws.String("")},
			"InvalidTargetBucketForLogging: The target bucket for logging does not exist"},
		{"target grants on a bucket owner enforced target", &types.LoggingEnabled{TargetBucket: aws.String("logs"), TargetPrefix: aws.String(""),
			TargetGrants: []types.TargetGrant{{Permission: types.BucketLogsPermissionRead,
				Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String("http://acs.amazonaws.com/groups/global/AllUsers")}}}},
			"AccessControlListNotSupported: Target grants not allowed for bucket owner enforced buckets"},
		{"bad partition date source", &types.LoggingEnabled{TargetBucket: aws.String("logs"), TargetPrefix: aws.String(""),
			TargetObjectKeyFormat: &types.TargetObjectKeyFormat{PartitionedPrefix: &types.PartitionedPrefix{PartitionDateSource: "kaboom"}}},
			"MalformedXML: The XML you provided was not well-formed or did not validate against our published schema"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := apiError(put(tt.le)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if err := put(nil); err != nil {
		t.Fatalf("PutBucketLogging (off): %v", apiError(err))
	}
	if le := get(); le != nil {
		t.Errorf("logging still on: %+v", le)
	}
}
