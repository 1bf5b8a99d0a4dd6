package postpolicy

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/s3vpce/s3vpce/internal/s3err"
)

// Field is one form field that precedes the file.
type Field struct {
	Name, Value string
}

// Form is the part of a POST upload's body before the file: its fields in
// order, and the file's name as the browser sent it.
type Form struct {
	Fields   []Field
	FileName string
}

// Value returns the value of the first field named name (any case); ""
// when there is none. The key's "${filename}" is expanded to the file's
// name, as S3 does.
func (f *Form) Value(name string) string {
	v, _ := f.Lookup(name)
	return v
}

// Lookup is Value that also reports whether the field is present.
func (f *Form) Lookup(name string) (string, bool) {
	for _, fd := range f.Fields {
		if strings.EqualFold(fd.Name, name) {
			if strings.EqualFold(name, "key") {
				return strings.ReplaceAll(fd.Value, "${filename}", f.FileName), true
			}
			return fd.Value, true
		}
	}
	return "", false
}

// MaxPreData is the most form data S3 reads before the file: the fields
// and their part headers.
const MaxPreData = 20 << 10

// IsForm reports whether h's Content-Type is multipart/form-data.
func IsForm(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// MalformedPOST is S3's answer to a body that is not the form it claims.
func MalformedPOST() *s3err.Error {
	return s3err.New(http.StatusBadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
}

// ReadForm reads a multipart/form-data body (Content-Type from h) up to
// the part named "file", which it returns unread: the fields that follow
// it are ignored, as S3 ignores them. At most MaxPreData bytes of fields
// are read.
func ReadForm(h http.Header, body io.Reader) (*Form, *multipart.Part, error) {
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, nil, MalformedPOST()
	}
	mr := multipart.NewReader(body, params["boundary"])
	f := &Form{}
	left := int64(MaxPreData)
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, nil, s3err.New(http.StatusBadRequest, "InvalidArgument", "POST requires exactly one file upload per request.").
				With("ArgumentName", "file").With("ArgumentValue", "0")
		}
		if err != nil {
			return nil, nil, MalformedPOST()
		}
		name := p.FormName()
		if strings.EqualFold(name, "file") {
			f.FileName = p.FileName()
			return f, p, nil
		}
		left -= int64(len(name)) + 64
		v, err := io.ReadAll(io.LimitReader(p, left+1))
		if err != nil {
			return nil, nil, MalformedPOST()
		}
		left -= int64(len(v))
		if left < 0 {
			return nil, nil, s3err.New(http.StatusBadRequest, "MaxPostPreDataLengthExceededError",
				"Your POST request fields preceding the upload file were too large.")
		}
		if name == "" {
			continue
		}
		f.Fields = append(f.Fields, Field{Name: name, Value: string(v)})
	}
}
