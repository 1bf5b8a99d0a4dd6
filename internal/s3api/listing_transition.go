package s3api

import "github.com/s3vpce/s3vpce/internal/store"

// Transitional: objects.go's deleteMarkerHeaders still reads whole-bucket
// version lists through these two; delete this file once it asks the store
// for the key's current version (h.store.Object) instead.

// listingVersion is one version (or delete marker) of a key.
type listingVersion struct {
	key, versionID string
	deleteMarker   bool
	latest         bool
}

// listingVersions returns every version in the bucket in listing order.
func (h *Handler) listingVersions(bucket string) ([]listingVersion, error) {
	var out []listingVersion
	err := h.store.ListVersions(bucket, "", "", "", func(v *store.Version) bool {
		out = append(out, listingVersion{key: v.Key, versionID: v.VersionID, deleteMarker: v.DeleteMarker, latest: v.IsLatest})
		return true
	})
	return out, err
}

// listingVersionID is the version ID as listed (the store already says
// "null").
func listingVersionID(id string) string {
	if id == "" {
		return store.NullVersionID
	}
	return id
}
