package s3api

import (
	"github.com/s3vpce/s3vpce/internal/store"
)

// publicAccessBlockOf is bucket b's public access block: all four
// settings on unless put otherwise (S3's default for new buckets since
// April 2023), all off when deleted.
func publicAccessBlockOf(b *store.Bucket) (publicAccessBlock, error) {
	p := publicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
	_, removed, err := readConfig(b, configPublicAccessBlock, &p)
	if removed {
		p = publicAccessBlock{}
	}
	return p, err
}
