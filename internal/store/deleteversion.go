package store

import "fmt"

// DeleteVersion removes one version or delete marker of bucket/key, as
// DeleteObject with a versionID does, once check (when set) approves that
// very version inside the delete's transaction: the S3 layer refuses there
// to remove a version under Object Lock retention or legal hold, so a
// retention set concurrently cannot be missed. An error check returns
// aborts the delete and is returned as is. ErrNoSuchVersion when the
// version does not exist (check is not called).
func (s *Store) DeleteVersion(bucket, key, versionID string, check func(v *Version) error) (DeleteResult, error) {
	if versionID == "" {
		return DeleteResult{}, fmt.Errorf("store: delete %s/%s: no version ID", bucket, key)
	}
	var res DeleteResult
	var garbage []string
	err := s.kv.update(func(t kvTx) error {
		res, garbage = DeleteResult{}, garbage[:0]
		if _, err := s.peekBucket(t, bucket); err != nil {
			return err
		}
		v, vk, err := s.versionByID(t, bucket, key, versionID)
		if err != nil {
			return err
		}
		if v == nil {
			return fmt.Errorf("%w: %s/%s version %q", ErrNoSuchVersion, bucket, key, versionID)
		}
		if check != nil {
			if err := check(v); err != nil {
				return err
			}
		}
		res = DeleteResult{VersionID: v.VersionID, DeleteMarker: v.DeleteMarker}
		return s.removeVersion(t, v, vk, &garbage)
	})
	if err != nil {
		return DeleteResult{}, err
	}
	s.removeBlobs(garbage)
	return res, nil
}
