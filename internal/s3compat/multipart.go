package s3compat

import "net/http"

// serveMultipart answers the operations of this area; see doc.go. Not implemented yet:
// everything passes through to gofakes3.
func (h *Handler) serveMultipart(w http.ResponseWriter, req *Request) bool { return false }
