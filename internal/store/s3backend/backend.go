// Package s3backend presents a store.Store as gofakes3's Backend,
// VersionedBackend and MultipartBackend, so gofakes3 can answer, over the
// one store, the operations the S3 layer passes to it.
package s3backend

import (
	"github.com/johannesboyne/gofakes3"
	"github.com/s3vpce/s3vpce/internal/store"
)

// Backend is a store.Store seen by gofakes3.
type Backend struct {
	st *store.Store
}

// New returns gofakes3's view of st.
func New(st *store.Store) *Backend { return &Backend{st: st} }

// TODO(adapter): the interface guards for gofakes3.Backend,
// VersionedBackend and MultipartBackend go here once implemented.
var _ = gofakes3.Backend(nil)
