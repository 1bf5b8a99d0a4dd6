package s3compat

import "net/http"

// serveSubresources answers the operations of this area; see doc.go. Not implemented yet:
// everything passes through to gofakes3.
func (h *Handler) serveSubresources(w http.ResponseWriter, req *Request) bool { return false }

// configState is what this area keeps beside the backend.
type configState struct{}

func newConfigState() *configState { return &configState{} }
