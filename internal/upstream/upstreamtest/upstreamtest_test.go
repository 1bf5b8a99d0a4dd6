package upstreamtest_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/s3vpce/s3vpce/internal/upstream/upstreamtest"
)

func client(url string, creds aws.CredentialsProvider) *s3.Client {
	return s3.New(s3.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(url), UsePathStyle: true})
}

func TestUpstreamServesItsOwnKeyOnly(t *testing.T) {
	up := upstreamtest.New(t, upstreamtest.Options{Buckets: []string{"ub"}})
	tests := []struct {
		name     string
		creds    aws.CredentialsProvider
		wantCode string
	}{
		{"own key", up.Credentials(), ""},
		{"other key", credentials.NewStaticCredentialsProvider("AKIAOTHER00000000000", "x", ""), "InvalidAccessKeyId"},
		{"wrong secret", credentials.NewStaticCredentialsProvider(upstreamtest.DefaultAccessKeyID, "wrong", ""), "SignatureDoesNotMatch"},
		{"anonymous", aws.AnonymousCredentials{}, "AccessDenied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up.Reset()
			c := client(up.URL(), tc.creds)
			_, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("ub"), Key: aws.String(tc.name), Body: strings.NewReader("hello")})
			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("PutObject: %v", err)
				}
				got, err := up.Object("ub", tc.name)
				if err != nil || string(got) != "hello" {
					t.Fatalf("Object = %q, %v; want hello", got, err)
				}
			} else {
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != tc.wantCode {
					t.Fatalf("PutObject error = %v, want %s", err, tc.wantCode)
				}
			}
			seen := up.Seen()
			if len(seen) != 1 || seen[0].Method != http.MethodPut || seen[0].Path != "/ub/"+strings.ReplaceAll(tc.name, " ", "%20") {
				t.Fatalf("Seen = %+v, want the one PUT", seen)
			}
		})
	}
}

func TestUpstreamRequiresContentSHA256(t *testing.T) {
	up := upstreamtest.New(t, upstreamtest.Options{Buckets: []string{"ub"}})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, up.URL()+"/ub/k", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+upstreamtest.DefaultAccessKeyID+"/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("0", 64))
	req.Header.Set("X-Amz-Date", "20260101T000000Z")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !bytes.Contains(body, []byte("x-amz-content-sha256")) {
		t.Fatalf("status %d body %s, want 400 naming x-amz-content-sha256", resp.StatusCode, body)
	}
}

func TestDownURLRefuses(t *testing.T) {
	_, err := http.Get(upstreamtest.DownURL(t))
	if err == nil {
		t.Fatal("GET on a down upstream succeeded")
	}
}

// seenAtHeader is a ResponseWriter that, when the response starts, takes
// what the upstream has recorded by then: over the in-process transport
// that is the moment the client has the response.
type seenAtHeader struct {
	http.ResponseWriter
	up     *upstreamtest.Server
	atHead []upstreamtest.Seen
}

func (w *seenAtHeader) WriteHeader(code int) {
	if w.atHead == nil {
		w.atHead = w.up.Seen()
	}
	w.ResponseWriter.WriteHeader(code)
}

// TestSeenBeforeTheResponse: a request is in Seen, with its status, by the
// time its response starts, not only once the handler has returned (a
// test that calls Reset right after a response must not find the request
// recorded afterwards).
func TestSeenBeforeTheResponse(t *testing.T) {
	up := upstreamtest.New(t, upstreamtest.Options{Buckets: []string{"ub"}})
	r, err := http.NewRequestWithContext(t.Context(), http.MethodHead, "/ub", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+upstreamtest.DefaultAccessKeyID+"/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("0", 64))
	r.Header.Set("X-Amz-Date", "20260101T000000Z")
	w := &seenAtHeader{ResponseWriter: httptest.NewRecorder(), up: up}
	up.Handler().ServeHTTP(w, r)
	if len(w.atHead) != 1 || w.atHead[0].Method != http.MethodHead || w.atHead[0].Status != http.StatusBadRequest {
		t.Fatalf("recorded when the response started: %+v, want the HEAD with status 400", w.atHead)
	}
	if seen := up.Seen(); len(seen) != 1 {
		t.Fatalf("recorded afterwards: %+v, want the one HEAD", seen)
	}
}
