package emulator

import (
	"fmt"

	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/internal/store"
)

// SetBucketPolicy validates and sets a bucket's policy, as PutBucketPolicy
// does; the bucket must exist. An empty document deletes the policy.
func (s *Server) SetBucketPolicy(bucket, doc string) error {
	if doc != "" {
		if _, serr := s3api.CompileBucketPolicy([]byte(doc)); serr != nil {
			return fmt.Errorf("emulator: set policy of bucket %s: %s", bucket, serr.Message)
		}
	}
	_, err := s.store.UpdateBucket(bucket, func(b *store.Bucket) error {
		b.Policy = []byte(doc)
		if doc == "" {
			b.Policy = nil
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("emulator: set policy of bucket %s: %w", bucket, err)
	}
	return nil
}

// BucketPolicy returns a bucket's policy document, "" when it has none.
func (s *Server) BucketPolicy(bucket string) string {
	b, err := s.store.Bucket(bucket)
	if err != nil {
		return ""
	}
	return string(b.Policy)
}
