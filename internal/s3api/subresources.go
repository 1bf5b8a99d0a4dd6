package s3api

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
)

// maxConfigBody bounds the XML body of a sub-resource PUT.
const maxConfigBody = 1 << 20

var errConfigTooLarge = errors.New("s3api: request body too large")

// readConfigBody reads a sub-resource request body of at most
// maxConfigBody bytes.
func readConfigBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxConfigBody+1))
	if err == nil && len(body) > maxConfigBody {
		err = errConfigTooLarge
	}
	return body, err
}

// readConfigXML decodes the request body into v; on failure it answers
// MalformedXML and returns false.
func readConfigXML(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := readConfigBody(r)
	if err != nil || len(body) == 0 || xml.Unmarshal(body, v) != nil {
		WriteError(w, r, errMalformedXML())
		return false
	}
	return true
}
