package s3compat

import "net/http"

// serveObjects answers the operations of this area; see doc.go. Not implemented yet:
// everything passes through to gofakes3.
func (h *Handler) serveObjects(w http.ResponseWriter, req *Request) bool { return false }

// objectState is what this area keeps beside the backend.
type objectState struct{}

func newObjectState() *objectState { return &objectState{} }
