package emulator

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// An error body rewritten by the front end keeps every element it had.
func TestErrorRewriteKeepsExtraElements(t *testing.T) {
	r := httptest.NewRequest("GET", "https://x/b/k", nil)
	rec := httptest.NewRecorder()
	rw := newS3Response(rec, r, "REQ123")
	rw.WriteHeader(http.StatusPreconditionFailed)
	rw.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-Match</Condition><RequestId></RequestId></Error>`))
	rw.finish()
	body := rec.Body.String()
	for _, want := range []string{"<Condition>If-Match</Condition>", "<RequestId>REQ123</RequestId>", "<Code>PreconditionFailed</Code>", "<Resource>/b/k</Resource>"} {
		if !strings.Contains(body, want) {
			t.Errorf("rewritten body lacks %s:\n%s", want, body)
		}
	}
	var e s3Error
	if err := xml.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != 412 || rec.Header().Get("x-amz-request-id") != "REQ123" {
		t.Errorf("status %d header %q err %v", rec.Code, rec.Header().Get("x-amz-request-id"), err)
	}
}
