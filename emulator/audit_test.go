package emulator_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/emulator/emulatortest"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// auditBucketPolicy denies PutObject under blocked/ (Sid DenyBlockedPut).
const auditBucketPolicy = `{"Statement":[{"Sid":"DenyBlockedPut","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::aud/blocked/*"}]}`

// auditEndpointPolicy allows everything but GetObject of secret*
// (Sid DenySecretGet).
const auditEndpointPolicy = `{"Statement":[
 {"Sid":"AllowAll","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
 {"Sid":"DenySecretGet","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::aud/secret*"}]}`

// requireWouldDeny fails unless srv's last request was let through as a
// would-deny of the statement sid.
func requireWouldDeny(t *testing.T, srv *emulator.Server, sid string) *emulator.DecisionRecord {
	t.Helper()
	d := srv.RecentDecisions(1)[0]
	if !d.Allowed() || !d.WouldDeny {
		t.Fatalf("request %s (%s): allowed %v, WouldDeny %v; want a would-deny\n%s", d.RequestID, d.Operation, d.Allowed(), d.WouldDeny, d.Explain())
	}
	i := slices.IndexFunc(d.Checks, func(c emulator.CheckRecord) bool { return c.WouldDeny })
	if got := d.Checks[i].Decision.Sid; got != sid {
		t.Errorf("request %s: would be denied by Sid %q, want %q", d.RequestID, got, sid)
	}
	if !strings.Contains(d.Explain(), "would be denied (audit mode)") {
		t.Errorf("Explain does not say would be denied:\n%s", d.Explain())
	}
	return d
}

// TestPolicyModes: the same bucket-policy-denied PutObject and
// endpoint-policy-denied GetObject are refused in enforce mode and let
// through in audit mode (the object stored, then returned), marked
// would-deny and counted by statement, action and principal.
func TestPolicyModes(t *testing.T) {
	for _, mode := range []emulator.PolicyMode{emulator.PolicyEnforce, emulator.PolicyAudit} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, emulator.Options{Buckets: []string{"aud"}, PolicyMode: mode,
				BucketPolicies: map[string]string{"aud": auditBucketPolicy}})
			if err := srv.SetEndpointPolicy(vpce.DefaultEndpointID, auditEndpointPolicy); err != nil {
				t.Fatal(err)
			}
			if srv.PolicyMode() != mode {
				t.Fatalf("PolicyMode() = %q, want %q", srv.PolicyMode(), mode)
			}
			c := sdkClient(srv, srv.URL(), false)
			if err := putBody(t, c, "aud", "secret.txt", "s3cr3t"); err != nil {
				t.Fatalf("allowed PutObject: %v", err)
			}
			var putErrs [2]error
			for i := range putErrs {
				putErrs[i] = putBody(t, c, "aud", "blocked/x", "payload")
			}
			body, getErr := getBody(t, c, "aud", "secret.txt")
			if mode == emulator.PolicyEnforce {
				for _, err := range append(putErrs[:], getErr) {
					if !strings.HasPrefix(apiCode(err), "AccessDenied: ") {
						t.Errorf("enforce: got %q, want AccessDenied", apiCode(err))
					}
				}
				if d := srv.RecentDecisions(1)[0]; d.Allowed() || d.WouldDeny || d.Checks[len(d.Checks)-1].Decision.Sid != "DenySecretGet" {
					t.Errorf("enforce: last decision allowed %v, WouldDeny %v\n%s", d.Allowed(), d.WouldDeny, d.Explain())
				}
				if s := srv.WouldDenies(); len(s.Groups) != 0 || s.Requests != 0 {
					t.Errorf("enforce: would-deny summary %+v, want empty", s)
				}
				return
			}
			for _, err := range append(putErrs[:], getErr) {
				if err != nil {
					t.Errorf("audit: %v", err)
				}
			}
			if body != "s3cr3t" {
				t.Errorf("audit: GetObject returned %q", body)
			}
			requireWouldDeny(t, srv, "DenySecretGet")
			if stored, err := getBody(t, c, "aud", "blocked/x"); err != nil || stored != "payload" {
				t.Errorf("audit: the would-deny PutObject stored %q (%v)", stored, err)
			}
			sum := srv.WouldDenies()
			if sum.Mode != emulator.PolicyAudit || sum.Requests != 3 {
				t.Errorf("summary mode %q, requests %d; want audit, 3", sum.Mode, sum.Requests)
			}
			principal := "arn:aws:iam::" + emulator.DefaultAccountID + ":user/s3vpce"
			want := []emulator.WouldDenyGroup{
				{Policy: "bucket aud", Kind: "bucket", Statement: 0, Sid: "DenyBlockedPut", Reason: "ExplicitDeny", Action: "s3:PutObject",
					Principal: principal, Count: 2, Resource: "arn:aws:s3:::aud/blocked/x"},
				{Policy: "endpoint " + vpce.DefaultEndpointID, Kind: "endpoint", Statement: 1, Sid: "DenySecretGet", Reason: "ExplicitDeny",
					Action: "s3:GetObject", Principal: principal, Count: 1, Resource: "arn:aws:s3:::aud/secret.txt"},
			}
			if len(sum.Groups) != len(want) {
				t.Fatalf("groups %+v, want %d", sum.Groups, len(want))
			}
			for i, g := range sum.Groups {
				if g.FirstRequestID == "" || g.LastRequestID == "" || g.FirstTime.IsZero() || (g.Count > 1) != (g.FirstRequestID != g.LastRequestID) {
					t.Errorf("group %d: request IDs %q..%q at %v", i, g.FirstRequestID, g.LastRequestID, g.FirstTime)
				}
				g.FirstRequestID, g.LastRequestID, g.FirstTime, g.LastTime = "", "", time.Time{}, time.Time{}
				if g != want[i] {
					t.Errorf("group %d:\n got %+v\nwant %+v", i, g, want[i])
				}
			}
			if got := sum.Groups[0].StatementName(); got != `Sid "DenyBlockedPut" (statement 0)` {
				t.Errorf("StatementName = %s", got)
			}
			srv.ResetWouldDenies()
			if s := srv.WouldDenies(); len(s.Groups) != 0 || s.Requests != 0 {
				t.Errorf("after reset: %+v", s)
			}
		})
	}
}

// TestPolicyModeAtRunTime: switching the mode applies to the next request,
// both ways; a mode that is neither is refused and changes nothing.
func TestPolicyModeAtRunTime(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"aud"}, BucketPolicies: map[string]string{"aud": auditBucketPolicy}})
	c := sdkClient(srv, srv.URL(), false)
	steps := []struct {
		mode emulator.PolicyMode
		want string // error code prefix; "" for success
	}{
		{"", "AccessDenied"},
		{emulator.PolicyAudit, ""},
		{emulator.PolicyEnforce, "AccessDenied"},
		{emulator.PolicyAudit, ""},
	}
	for i, st := range steps {
		if st.mode != "" {
			if err := srv.SetPolicyMode(st.mode); err != nil {
				t.Fatal(err)
			}
		}
		if got := apiCode(putBody(t, c, "aud", "blocked/k", "x")); !strings.HasPrefix(got, st.want) || (st.want == "") != (got == "") {
			t.Errorf("step %d (%q): PutObject got %q, want %q", i, st.mode, got, st.want)
		}
	}
	if err := srv.SetPolicyMode("permissive"); err == nil || srv.PolicyMode() != emulator.PolicyAudit {
		t.Errorf("SetPolicyMode(permissive) = %v, mode now %q", err, srv.PolicyMode())
	}
}

// TestAuditModeDeleteObjects: the keys of a DeleteObjects a bucket policy
// denies are deleted in audit mode, each counted.
func TestAuditModeDeleteObjects(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"del"}, PolicyMode: emulator.PolicyAudit})
	c := sdkClient(srv, srv.URL(), false)
	ctx := t.Context()
	keys := []string{"keep/a", "tmp/a", "keep/b"}
	var objs []types.ObjectIdentifier
	for _, k := range keys {
		if err := putBody(t, c, "del", k, k); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, types.ObjectIdentifier{Key: aws.String(k)})
	}
	if err := srv.SetBucketPolicy("del", `{"Statement":[{"Sid":"ProtectKeep","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::del/keep/*"}]}`); err != nil {
		t.Fatal(err)
	}
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{Objects: objs}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 0 || len(out.Deleted) != len(keys) {
		t.Errorf("audit DeleteObjects: %d deleted, errors %+v", len(out.Deleted), out.Errors)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("del")})
	if err != nil || len(list.Contents) != 0 {
		t.Errorf("objects left: %d (%v)", len(list.Contents), err)
	}
	d := srv.RecentDecisions(2)[1] // before the listing
	if d.Operation != "DeleteObjects" || !d.WouldDeny {
		t.Fatalf("decision of %s: WouldDeny %v\n%s", d.Operation, d.WouldDeny, d.Explain())
	}
	sum := srv.WouldDenies()
	if len(sum.Groups) != 1 || sum.Groups[0].Count != 2 || sum.Groups[0].Action != "s3:DeleteObject" || sum.Groups[0].Sid != "ProtectKeep" {
		t.Errorf("summary %+v, want one group of 2 s3:DeleteObject by ProtectKeep", sum.Groups)
	}
}

// TestAuditModeStillAuthenticates: audit mode lets policy denials through,
// never authentication failures, and a missing bucket is still 404.
func TestAuditModeStillAuthenticates(t *testing.T) {
	denyAll := `{"Statement":[{"Sid":"DenyAll","Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`
	srv := startServer(t, emulator.Options{Buckets: []string{"aud"}, PolicyMode: emulator.PolicyAudit,
		BucketPolicies: map[string]string{"aud": denyAll}})
	withKey := func(id, secret string) *s3.Client {
		return s3.NewFromConfig(aws.Config{Region: vpce.DefaultRegion, HTTPClient: srv.Client(),
			Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")},
			func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	}
	tests := []struct {
		name string
		do   func() string
		want string
	}{
		{"wrong secret", func() string {
			return apiCode(putBody(t, withKey(emulator.DefaultAccessKeyID, "wrong-secret-wrong-secret-wrong-secret-00"), "aud", "k", "x"))
		}, "SignatureDoesNotMatch"},
		{"unknown key", func() string {
			return apiCode(putBody(t, withKey("AKIAUNKNOWN000000000", emulator.DefaultSecretAccessKey), "aud", "k", "x"))
		}, "InvalidAccessKeyId"},
		{"expired presigned URL", func() string {
			req := presignedPut(t, srv.URL()+"/aud/k", []byte("x"), nil, time.Now().Add(-2*time.Hour))
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			e := s3ErrorOf(t, resp)
			return e.Code + ": " + e.Message
		}, "AccessDenied: Request has expired"},
		{"missing bucket", func() string {
			return apiCode(putBody(t, sdkClient(srv, srv.URL(), false), "nobucket", "k", "x"))
		}, "NoSuchBucket"},
		{"policy denial", func() string {
			return apiCode(putBody(t, sdkClient(srv, srv.URL(), false), "aud", "k", "x"))
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.do(); !strings.HasPrefix(got, tt.want) || (tt.want == "") != (got == "") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got, err := getBody(t, sdkClient(srv, srv.URL(), false), "aud", "k"); err != nil || got != "x" {
		t.Errorf("the audited PutObject stored %q (%v)", got, err)
	}
}

// TestPolicyModeSurvivesRestart: the mode is saved with the topology in
// DataDir; Options.PolicyMode overrides it.
func TestPolicyModeSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	restart := func(m emulator.PolicyMode) emulator.PolicyMode {
		srv, err := emulator.New(emulator.Options{DataDir: dir, PolicyMode: m})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		return srv.PolicyMode()
	}
	if got := restart(""); got != emulator.PolicyEnforce {
		t.Fatalf("fresh data: %q", got)
	}
	srv, err := emulator.New(emulator.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SetPolicyMode(emulator.PolicyAudit); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if got := restart(""); got != emulator.PolicyAudit {
		t.Errorf("after SetPolicyMode(audit) and a restart: %q", got)
	}
	if got := restart(emulator.PolicyEnforce); got != emulator.PolicyEnforce {
		t.Errorf("Options.PolicyMode enforce over a saved audit: %q", got)
	}
	if got := restart(""); got != emulator.PolicyEnforce {
		t.Errorf("the override was not saved: %q", got)
	}
	if _, err := emulator.New(emulator.Options{DataDir: t.TempDir(), PolicyMode: "lenient"}); err == nil {
		t.Error("Options.PolicyMode lenient accepted")
	}
}

// TestAuditAdminAPI: GET/PUT /v1/policy-mode and GET/DELETE /v1/would-deny.
func TestAuditAdminAPI(t *testing.T) {
	srv := startServer(t, emulator.Options{Buckets: []string{"aud"}, BucketPolicies: map[string]string{"aud": auditBucketPolicy}})
	h := srv.AdminHandler()
	do := func(method, path, body string) (int, string) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(method, path, strings.NewReader(body)))
		return w.Code, w.Body.String()
	}
	if st, b := do("GET", "/v1/policy-mode", ""); st != 200 || b != "enforce\n" {
		t.Errorf("GET policy-mode: %d %q", st, b)
	}
	if st, b := do("PUT", "/v1/policy-mode", "strict"); st != http.StatusBadRequest || !strings.Contains(b, "want enforce or audit") {
		t.Errorf("PUT strict: %d %q", st, b)
	}
	if st, _ := do("PUT", "/v1/policy-mode", "audit\n"); st != http.StatusNoContent || srv.PolicyMode() != emulator.PolicyAudit {
		t.Errorf("PUT audit: %d, mode %q", st, srv.PolicyMode())
	}
	if err := putBody(t, sdkClient(srv, srv.URL(), false), "aud", "blocked/1", "x"); err != nil {
		t.Fatal(err)
	}
	_, b := do("GET", "/v1/would-deny", "")
	var sum emulator.WouldDenySummary
	if err := json.Unmarshal([]byte(b), &sum); err != nil || len(sum.Groups) != 1 || sum.Groups[0].Sid != "DenyBlockedPut" || sum.Mode != emulator.PolicyAudit {
		t.Errorf("GET would-deny: %v %s", err, b)
	}
	_, list := do("GET", "/v1/decisions?n=1", "")
	if !strings.Contains(list, `"Decision":"would-deny"`) {
		t.Errorf("decision list: %s", list)
	}
	if st, _ := do("DELETE", "/v1/would-deny", ""); st != http.StatusNoContent || len(srv.WouldDenies().Groups) != 0 {
		t.Errorf("DELETE would-deny: %d, %d groups left", st, len(srv.WouldDenies().Groups))
	}
}

// TestAuditModeOtherDenials: access point policies, S3 Control's endpoint
// policy checks, implicit denies no ACL allows and the missing-key rule
// are let through in audit mode too, each counted; the log line says
// decision=would-deny.
func TestAuditModeOtherDenials(t *testing.T) {
	onlyOne := func(t *testing.T, srv *emulator.Server, want emulator.WouldDenyGroup) {
		t.Helper()
		sum := srv.WouldDenies()
		if len(sum.Groups) != 1 {
			t.Fatalf("groups %+v, want one", sum.Groups)
		}
		g := sum.Groups[0]
		g.FirstRequestID, g.LastRequestID, g.FirstTime, g.LastTime = "", "", time.Time{}, time.Time{}
		if g != want {
			t.Errorf("group:\n got %+v\nwant %+v", g, want)
		}
	}
	principal := "arn:aws:iam::" + emulator.DefaultAccountID + ":user/s3vpce"
	t.Run("access point policy", func(t *testing.T) {
		f := newAPFixture(t, nil, "")
		doc := `{"Statement":[{"Sid":"NoSecrets","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"` + apARN + `/object/secret/*"}]}`
		if err := f.st.SetAccessPointPolicy(emulator.DefaultAccountID, apName, doc); err != nil {
			t.Fatal(err)
		}
		if err := putBody(t, sdkClient(f.srv, f.srv.URL(), false), "apb", "secret/k", "s"); err != nil {
			t.Fatal(err)
		}
		if err := f.srv.SetPolicyMode(emulator.PolicyAudit); err != nil {
			t.Fatal(err)
		}
		c := f.client(surfaceURL(f.srv, "accesspoint"), emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey)
		if got, err := getBody(t, c, apARN, "secret/k"); err != nil || got != "s" {
			t.Fatalf("GetObject through the access point: %q, %v", got, err)
		}
		onlyOne(t, f.srv, emulator.WouldDenyGroup{Policy: "access point " + apName, Kind: "accesspoint", Statement: 0, Sid: "NoSecrets",
			Reason: "ExplicitDeny", Action: "s3:GetObject", Principal: principal, Count: 1, Resource: apARN + "/object/secret/k"})
	})
	t.Run("S3 Control endpoint policy", func(t *testing.T) {
		f := newAPFixture(t, nil, "")
		epDoc := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},` +
			`{"Sid":"KeepAPs","Effect":"Deny","Principal":"*","Action":"s3:DeleteAccessPoint","Resource":"` + apARN + `"}]}`
		if err := f.srv.SetEndpointPolicy(vpce.DefaultEndpointID, epDoc); err != nil {
			t.Fatal(err)
		}
		if err := f.srv.SetPolicyMode(emulator.PolicyAudit); err != nil {
			t.Fatal(err)
		}
		cfg := aws.Config{Region: vpce.DefaultRegion, HTTPClient: f.srv.Client(),
			Credentials: credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, "")}
		ctl := s3control.NewFromConfig(cfg, func(o *s3control.Options) { o.BaseEndpoint = aws.String(surfaceURL(f.srv, "control")) })
		if _, err := ctl.DeleteAccessPoint(t.Context(), &s3control.DeleteAccessPointInput{AccountId: aws.String(emulator.DefaultAccountID), Name: aws.String(apName)}); err != nil {
			t.Fatalf("DeleteAccessPoint in audit mode: %v", err)
		}
		if _, err := f.st.AccessPoint(emulator.DefaultAccountID, apName); err == nil {
			t.Error("the access point is still there")
		}
		onlyOne(t, f.srv, emulator.WouldDenyGroup{Policy: "endpoint " + vpce.DefaultEndpointID, Kind: "endpoint", Statement: 1, Sid: "KeepAPs",
			Reason: "ExplicitDeny", Action: "s3:DeleteAccessPoint", Principal: principal, Count: 1, Resource: apARN})
	})
	t.Run("gateway endpoint policy", func(t *testing.T) {
		srv := emulatortest.New(t, emulatortest.WithBuckets("wsgbucket"))
		_, err := srv.UpdateTopology(func(s *vpce.Spec) error {
			for i := range s.GatewayEndpoints {
				if s.GatewayEndpoints[i].ID == vpce.PrivateGatewayEndpointID {
					s.GatewayEndpoints[i].Policy = `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Sid":"NoList","Effect":"Deny","Principal":"*","Action":"s3:ListBucket","Resource":"*"}]}`
				}
			}
			s.PolicyMode = vpce.PolicyAudit
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		c := s3From(srv.AWSConfigFrom(t, privateHost), "https://s3.amazonaws.com", true)
		if _, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("wsgbucket")}); err != nil {
			t.Fatalf("ListObjectsV2 through the gateway endpoint in audit mode: %v", err)
		}
		onlyOne(t, srv.Server, emulator.WouldDenyGroup{Policy: "gateway endpoint " + vpce.PrivateGatewayEndpointID, Kind: "gateway-endpoint",
			Statement: 1, Sid: "NoList", Reason: "ExplicitDeny", Action: "s3:ListBucket", Principal: principal, Count: 1, Resource: "arn:aws:s3:::wsgbucket"})
	})
	t.Run("anonymous implicit deny", func(t *testing.T) {
		var logs lockedBuffer
		srv := startServer(t, emulator.Options{Buckets: []string{"aud"}, PolicyMode: emulator.PolicyAudit,
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err := putBody(t, sdkClient(srv, srv.URL(), false), "aud", "doc.txt", "hello"); err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Get(srv.URL() + "/aud/doc.txt")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "hello" {
			t.Errorf("anonymous GET in audit mode: %d %s", resp.StatusCode, b)
		}
		onlyOne(t, srv, emulator.WouldDenyGroup{Policy: "bucket aud", Kind: "bucket", Statement: -1, Reason: "ImplicitDeny",
			Action: "s3:GetObject", Principal: "anonymous", Count: 1, Resource: "arn:aws:s3:::aud/doc.txt"})
		if l := logs.String(); !strings.Contains(l, "decision=would-deny") || !strings.Contains(l, "principal=anonymous") {
			t.Errorf("log lacks the would-deny line:\n%s", l)
		}
	})
	t.Run("missing key without ListBucket", func(t *testing.T) {
		srv := startServer(t, emulator.Options{Buckets: []string{"aud"}, PolicyMode: emulator.PolicyAudit})
		onlyGet := `{"Statement":[{"Sid":"ReadOnly","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::aud/*"}]}`
		if err := srv.SetEndpointPolicy(vpce.DefaultEndpointID, onlyGet); err != nil {
			t.Fatal(err)
		}
		// Enforced, S3 answers 403 (the caller may not list); audited,
		// the request goes on to the 404 a caller who may list gets.
		if _, err := getBody(t, sdkClient(srv, srv.URL(), false), "aud", "missing"); !strings.HasPrefix(apiCode(err), "NoSuchKey") {
			t.Errorf("GetObject of a missing key: %s", apiCode(err))
		}
		onlyOne(t, srv, emulator.WouldDenyGroup{Policy: "endpoint " + vpce.DefaultEndpointID, Kind: "endpoint", Statement: -1, Reason: "ImplicitDeny",
			Action: "s3:ListBucket", Principal: principal, Count: 1, Resource: "arn:aws:s3:::aud"})
	})
}
