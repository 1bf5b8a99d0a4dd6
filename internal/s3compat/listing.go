package s3compat

import "net/http"

// serveListing answers the operations of this area; see doc.go. Not implemented yet:
// everything passes through to gofakes3.
func (h *Handler) serveListing(w http.ResponseWriter, req *Request) bool { return false }
