package emulator_test

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3controltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/store"
	"github.com/s3vpce/s3vpce/internal/vpce"
	"github.com/s3vpce/s3vpce/policy"
)

const (
	apName = "ap1"
	apARN  = "arn:aws:s3:us-east-1:123456789012:accesspoint/ap1"
	// janeKey signs as a user of another account.
	janeKey    = "AKIAJANE000000000001"
	janeSecret = "janeSecretKeyForTheAccessPointTests0001"
	janeARN    = "arn:aws:iam::444455556666:user/Jane"
)

// hostRecorder is a RoundTripper that remembers the Host of every request.
type hostRecorder struct {
	next  http.RoundTripper
	mu    sync.Mutex
	hosts []string
}

func (h *hostRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, r.URL.Host)
	h.mu.Unlock()
	return h.next.RoundTrip(r)
}

func (h *hostRecorder) seen() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.hosts)
}

// apFixture is a started server over its own store with bucket "apb" and
// access point ap1 on it (network origin vpcID, "" for Internet).
type apFixture struct {
	srv   *emulator.Server
	st    *store.Store
	hosts *hostRecorder
}

func newAPFixture(t *testing.T, topo *vpce.Topology, vpcID string) *apFixture {
	t.Helper()
	st := store.NewMemory(store.Options{})
	t.Cleanup(func() { st.Close() })
	srv := startServer(t, emulator.Options{Store: st, Topology: topo, Buckets: []string{"apb"},
		Credentials: []emulator.Credential{emulator.DefaultCredential(),
			{AccessKeyID: janeKey, SecretAccessKey: janeSecret, ARN: janeARN}}})
	err := st.CreateAccessPoint(store.AccessPoint{Name: apName, Account: emulator.DefaultAccountID, Region: vpce.DefaultRegion,
		Bucket: "apb", BucketAccount: emulator.DefaultAccountID, VPCID: vpcID, Alias: "ap1-abcdefghijklmnopqrstuvwxyz1234-s3alias",
		Created: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	return &apFixture{srv: srv, st: st, hosts: &hostRecorder{next: c.Transport}}
}

// client is the s3 client as a user configures it for access points
// through the endpoint: BaseEndpoint https://accesspoint.vpce-…, the
// access point ARN as Bucket.
func (f *apFixture) client(base, key, secret string) *s3.Client {
	cfg := aws.Config{
		Region:      vpce.DefaultRegion,
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""),
		HTTPClient:  &http.Client{Transport: f.hosts},
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(base) })
}

// surfaceURL turns the bucket. URL of the default endpoint into another
// surface's ("accesspoint", "control").
func surfaceURL(srv *emulator.Server, surface string) string {
	return strings.Replace(srv.URL(), "https://bucket.", "https://"+surface+".", 1)
}

func requestID(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.ServiceRequestID()
	}
	return ""
}

func getBody(t *testing.T, c *s3.Client, bucket, key string) (string, error) {
	t.Helper()
	out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return string(b), err
}

func putBody(t *testing.T, c *s3.Client, bucket, key, body string) error {
	t.Helper()
	_, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	return err
}

func TestAccessPointSDKObjects(t *testing.T) {
	f := newAPFixture(t, nil, "")
	c := f.client(surfaceURL(f.srv, "accesspoint"), emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey)
	if err := putBody(t, c, apARN, "dir/k", "through the access point"); err != nil {
		t.Fatalf("PutObject through %s: %v", apARN, err)
	}
	got, err := getBody(t, c, apARN, "dir/k")
	if err != nil || got != "through the access point" {
		t.Fatalf("GetObject through the access point = %q, %v", got, err)
	}
	list, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(apARN), Prefix: aws.String("dir/")})
	if err != nil || len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "dir/k" {
		t.Fatalf("ListObjectsV2 through the access point = %+v, %v", list, err)
	}
	// The object is in the access point's bucket.
	direct, err := getBody(t, sdkClient(f.srv, f.srv.URL(), false), "apb", "dir/k")
	if err != nil || direct != "through the access point" {
		t.Fatalf("GetObject apb/dir/k through bucket.vpce-… = %q, %v", direct, err)
	}
	wantHost := "ap1-123456789012.accesspoint." + strings.TrimPrefix(strings.TrimPrefix(f.srv.URL(), "https://"), "bucket.")
	for _, h := range f.hosts.seen() {
		if h != wantHost {
			t.Errorf("the SDK sent a request to %s, want %s", h, wantHost)
		}
	}
	t.Logf("aws-sdk-go-v2 with BaseEndpoint %s and Bucket %s sent to https://%s", surfaceURL(f.srv, "accesspoint"), apARN, wantHost)
}

func TestAccessPointNotFound(t *testing.T) {
	f := newAPFixture(t, nil, "")
	c := f.client(surfaceURL(f.srv, "accesspoint"), emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey)
	_, err := getBody(t, c, "arn:aws:s3:us-east-1:123456789012:accesspoint/nosuch", "k")
	if got := apiCode(err); got != "NoSuchAccessPoint: The specified accesspoint does not exist" {
		t.Fatalf("GetObject through a missing access point: %s", got)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusNotFound {
		t.Fatalf("status: %v, want 404", err)
	}
}

func TestAccessPointPolicyDeniesPrefix(t *testing.T) {
	f := newAPFixture(t, nil, "")
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"NoSecrets","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"` + apARN + `/object/secret/*"}]}`
	if err := f.st.SetAccessPointPolicy(emulator.DefaultAccountID, apName, doc); err != nil {
		t.Fatal(err)
	}
	bucketClient := sdkClient(f.srv, f.srv.URL(), false)
	for _, k := range []string{"secret/k", "public/k"} {
		if err := putBody(t, bucketClient, "apb", k, k); err != nil {
			t.Fatal(err)
		}
	}
	c := f.client(surfaceURL(f.srv, "accesspoint"), emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey)
	aliasClient := sdkClient(f.srv, f.srv.URL(), true)
	tests := []struct {
		name   string
		client *s3.Client
		bucket string
	}{
		{"access point ARN", c, apARN},
		{"alias path style through bucket.vpce", aliasClient, "ap1-abcdefghijklmnopqrstuvwxyz1234-s3alias"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := getBody(t, tc.client, tc.bucket, "public/k"); err != nil || got != "public/k" {
				t.Fatalf("GetObject public/k = %q, %v", got, err)
			}
			_, err := getBody(t, tc.client, tc.bucket, "secret/k")
			want := `AccessDenied: User: arn:aws:iam::123456789012:user/s3vpce is not authorized to perform: s3:GetObject on resource: "` +
				apARN + `/object/secret/k" with an explicit deny in a resource-based policy`
			if got := apiCode(err); got != want {
				t.Fatalf("GetObject secret/k:\n got %s\nwant %s", got, want)
			}
			rec, ok := f.srv.Decision(requestID(err))
			if !ok || len(rec.Checks) != 1 || rec.Checks[0].Decision.Kind != policy.KindAccessPoint {
				t.Fatalf("decision record %+v, want one check decided by the access point policy", rec)
			}
			if ex := rec.Explain(); !strings.Contains(ex, `statement 0 (Sid "NoSecrets") of the access point policy`) {
				t.Errorf("explain does not name the access point policy:\n%s", ex)
			}
		})
	}
	// Through the bucket itself the access point policy does not apply.
	if got, err := getBody(t, bucketClient, "apb", "secret/k"); err != nil || got != "secret/k" {
		t.Fatalf("GetObject apb/secret/k through bucket.vpce-… = %q, %v", got, err)
	}
}

func TestAccessPointDelegation(t *testing.T) {
	f := newAPFixture(t, nil, "")
	if err := putBody(t, sdkClient(f.srv, f.srv.URL(), false), "apb", "k", "v"); err != nil {
		t.Fatal(err)
	}
	apDoc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + janeARN + `"},"Action":"s3:GetObject","Resource":"` + apARN + `/object/*"}]}`
	if err := f.st.SetAccessPointPolicy(emulator.DefaultAccountID, apName, apDoc); err != nil {
		t.Fatal(err)
	}
	delegate := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*",` +
		`"Resource":["arn:aws:s3:::apb","arn:aws:s3:::apb/*"],"Condition":{"StringEquals":{"s3:DataAccessPointAccount":"123456789012"}}}]}`
	jane := f.client(surfaceURL(f.srv, "accesspoint"), janeKey, janeSecret)
	janeDirect := sdkClient(f.srv, f.srv.URL(), false, func(o *s3.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider(janeKey, janeSecret, "")
	})
	steps := []struct {
		name         string
		bucketPolicy string
		wantAP       string // apiCode of Jane's GET through the access point
		wantDirect   string // and straight from the bucket
	}{
		{"delegated", delegate, "", `AccessDenied: User: ` + janeARN + ` is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::apb/k" because no resource-based policy allows the s3:GetObject action`},
		{"delegation removed", "", `AccessDenied: User: ` + janeARN + ` is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::apb/k" because no resource-based policy allows the s3:GetObject action`, "same"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := f.srv.SetBucketPolicy("apb", st.bucketPolicy); err != nil {
				t.Fatal(err)
			}
			_, err := getBody(t, jane, apARN, "k")
			if got := apiCode(err); got != st.wantAP {
				t.Fatalf("Jane's GET through the access point: %q, want %q", got, st.wantAP)
			}
			if err != nil {
				rec, _ := f.srv.Decision(requestID(err))
				if rec == nil || len(rec.Checks) != 2 || !rec.Checks[0].Decision.Allowed() || rec.Checks[1].Decision.Kind != policy.KindBucket {
					t.Fatalf("want the access point check allowed and the bucket check denied: %+v", rec)
				}
			}
			_, err = getBody(t, janeDirect, "apb", "k")
			want := st.wantDirect
			if want == "same" {
				want = st.wantAP
			}
			if got := apiCode(err); got != want {
				t.Fatalf("Jane's GET straight from the bucket: %q, want %q", got, want)
			}
		})
	}
}

func TestAccessPointVPCOrigin(t *testing.T) {
	f := newAPFixture(t, twoEndpoints(t), vpce.DefaultVPCID)
	otherURL, err := f.srv.EndpointURL("vpce-0b11111111111111b", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := putBody(t, sdkClient(f.srv, f.srv.URL(), false), "apb", "k", "v"); err != nil {
		t.Fatal(err)
	}
	apURL := func(bucketURL string) string {
		return strings.Replace(bucketURL, "https://bucket.", "https://accesspoint.", 1)
	}
	tests := []struct {
		name string
		base string
		want string
	}{
		{"through an endpoint in the access point's VPC", apURL(f.srv.URL()), ""},
		{"through another VPC's endpoint", apURL(otherURL), "AccessDenied: Access Denied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := f.client(tc.base, emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey)
			_, err := getBody(t, c, apARN, "k")
			if got := apiCode(err); got != tc.want {
				t.Fatalf("GetObject: %q, want %q", got, tc.want)
			}
			if err == nil {
				return
			}
			rec, ok := f.srv.Decision(requestID(err))
			if !ok || rec.Allowed() || !strings.Contains(rec.Hint, "network origin VPC") {
				t.Fatalf("decision record %+v: want a refusal with a network origin hint", rec)
			}
		})
	}
}

func TestAccessPointAlias(t *testing.T) {
	f := newAPFixture(t, nil, "")
	const alias = "ap1-abcdefghijklmnopqrstuvwxyz1234-s3alias"
	tests := []struct {
		name      string
		pathStyle bool
	}{
		{"path style", true},
		{"virtual hosted", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := sdkClient(f.srv, f.srv.URL(), tc.pathStyle)
			if err := putBody(t, c, alias, "a/"+tc.name, "via alias"); err != nil {
				t.Fatalf("PutObject to the alias: %v", err)
			}
			if got, err := getBody(t, sdkClient(f.srv, f.srv.URL(), true), "apb", "a/"+tc.name); err != nil || got != "via alias" {
				t.Fatalf("the object in the bucket = %q, %v", got, err)
			}
			out, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(alias), Prefix: aws.String("a/" + tc.name)})
			if err != nil || len(out.Contents) != 1 {
				t.Fatalf("ListObjectsV2 of the alias = %+v, %v", out, err)
			}
		})
	}
	_, err := getBody(t, sdkClient(f.srv, f.srv.URL(), true), "nosuch-abcdefghijklmnopqrstuvwxyz1234-s3alias", "k")
	if got := apiCode(err); !strings.HasPrefix(got, "NoSuchBucket") {
		t.Fatalf("GetObject from an unknown alias: %s, want NoSuchBucket", got)
	}
}

func TestS3ControlSDK(t *testing.T) {
	f := newAPFixture(t, twoEndpoints(t), "")
	cfg := aws.Config{
		Region:      vpce.DefaultRegion,
		Credentials: credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, ""),
		HTTPClient:  &http.Client{Transport: f.hosts},
	}
	ctl := s3control.NewFromConfig(cfg, func(o *s3control.Options) { o.BaseEndpoint = aws.String(surfaceURL(f.srv, "control")) })
	ctx := t.Context()
	acct := aws.String(emulator.DefaultAccountID)
	_, err := ctl.CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{AccountId: acct, Name: aws.String("vpcap"), Bucket: aws.String("apb"),
		VpcConfiguration: &s3controltypes.VpcConfiguration{VpcId: aws.String(vpce.DefaultVPCID)}})
	if err != nil {
		t.Fatalf("CreateAccessPoint: %v", err)
	}
	got, err := ctl.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: acct, Name: aws.String("vpcap")})
	if err != nil {
		t.Fatalf("GetAccessPoint: %v", err)
	}
	if got.NetworkOrigin != s3controltypes.NetworkOriginVpc || aws.ToString(got.Bucket) != "apb" ||
		got.VpcConfiguration == nil || aws.ToString(got.VpcConfiguration.VpcId) != vpce.DefaultVPCID || !strings.HasSuffix(aws.ToString(got.Alias), "-s3alias") {
		t.Errorf("GetAccessPoint = origin %s bucket %s vpc %+v alias %s", got.NetworkOrigin, aws.ToString(got.Bucket), got.VpcConfiguration, aws.ToString(got.Alias))
	}
	list, err := ctl.ListAccessPoints(ctx, &s3control.ListAccessPointsInput{AccountId: acct, Bucket: aws.String("apb")})
	if err != nil {
		t.Fatalf("ListAccessPoints: %v", err)
	}
	var names []string
	for _, ap := range list.AccessPointList {
		names = append(names, aws.ToString(ap.Name))
	}
	if !slices.Equal(names, []string{apName, "vpcap"}) {
		t.Errorf("ListAccessPoints names %q, want [ap1 vpcap]", names)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:us-east-1:123456789012:accesspoint/vpcap/object/*"}]}`
	if _, err := ctl.PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{AccountId: acct, Name: aws.String("vpcap"), Policy: aws.String(doc)}); err != nil {
		t.Fatalf("PutAccessPointPolicy: %v", err)
	}
	pol, err := ctl.GetAccessPointPolicy(ctx, &s3control.GetAccessPointPolicyInput{AccountId: acct, Name: aws.String("vpcap")})
	if err != nil || aws.ToString(pol.Policy) != doc {
		t.Fatalf("GetAccessPointPolicy = %v, %v", pol, err)
	}
	// The policy applies to the data plane at once.
	c := f.client(surfaceURL(f.srv, "accesspoint"), emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey)
	err = putBody(t, c, "arn:aws:s3:us-east-1:123456789012:accesspoint/vpcap", "k", "v")
	if got := apiCode(err); !strings.HasSuffix(got, "with an explicit deny in a resource-based policy") {
		t.Fatalf("PutObject through vpcap: %q, want the access point policy's explicit deny", got)
	}
	if _, err := ctl.DeleteAccessPoint(ctx, &s3control.DeleteAccessPointInput{AccountId: acct, Name: aws.String("vpcap")}); err != nil {
		t.Fatalf("DeleteAccessPoint: %v", err)
	}
	_, err = ctl.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: acct, Name: aws.String("vpcap")})
	if got := apiCode(err); !strings.HasPrefix(got, "NoSuchAccessPoint") {
		t.Fatalf("GetAccessPoint after delete: %q, want NoSuchAccessPoint", got)
	}
	wantControl := "123456789012.control." + strings.TrimPrefix(strings.TrimPrefix(f.srv.URL(), "https://"), "bucket.")
	if hosts := f.hosts.seen(); hosts[0] != wantControl {
		t.Errorf("the s3control client sent to %s, want %s", hosts[0], wantControl)
	}
	t.Logf("aws-sdk-go-v2 s3control with BaseEndpoint %s sent to https://%s", surfaceURL(f.srv, "control"), wantControl)
}

func TestS3ControlEndpointPolicy(t *testing.T) {
	f := newAPFixture(t, nil, "")
	epDoc := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},` +
		`{"Effect":"Deny","Principal":"*","Action":"s3:DeleteAccessPoint","Resource":"` + apARN + `"}]}`
	topo := f.srv.Topology()
	spec := topo.Spec()
	spec.Endpoints[0].Policy = epDoc
	next, err := vpce.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.srv.SetTopology(next); err != nil {
		t.Fatal(err)
	}
	cfg := aws.Config{
		Region:      vpce.DefaultRegion,
		Credentials: credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, ""),
		HTTPClient:  f.srv.Client(),
	}
	ctl := s3control.NewFromConfig(cfg, func(o *s3control.Options) { o.BaseEndpoint = aws.String(surfaceURL(f.srv, "control")) })
	acct := aws.String(emulator.DefaultAccountID)
	if _, err := ctl.ListAccessPoints(t.Context(), &s3control.ListAccessPointsInput{AccountId: acct}); err != nil {
		t.Fatalf("ListAccessPoints: %v", err)
	}
	_, err = ctl.DeleteAccessPoint(t.Context(), &s3control.DeleteAccessPointInput{AccountId: acct, Name: aws.String(apName)})
	want := `AccessDenied: User: arn:aws:iam::123456789012:user/s3vpce is not authorized to perform: s3:DeleteAccessPoint on resource: "` + apARN + `" with an explicit deny in a VPC endpoint policy`
	if got := apiCode(err); got != want {
		t.Fatalf("DeleteAccessPoint:\n got %s\nwant %s", got, want)
	}
	rec, ok := f.srv.Decision(requestID(err))
	if !ok || rec.Operation != "DeleteAccessPoint" || len(rec.Checks) != 1 || rec.Checks[0].Decision.Kind != policy.KindEndpoint {
		t.Fatalf("decision record %+v", rec)
	}
	if _, err := f.st.AccessPoint(emulator.DefaultAccountID, apName); err != nil {
		t.Fatalf("the denied DeleteAccessPoint deleted the access point: %v", err)
	}
}
