package s3compat

import "net/http"

// serveCopy answers the operations of this area; see doc.go. Not implemented yet:
// everything passes through to gofakes3.
func (h *Handler) serveCopy(w http.ResponseWriter, req *Request) bool { return false }
