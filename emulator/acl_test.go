package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/s3api"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

// The second account of the ACL tests.
const (
	altKey     = "AKIAALTACCOUNTEXAMPLE"
	altSecret  = "altSecretKeyaltSecretKeyaltSecretKey0000"
	altAccount = "222222222222"
)

// aclFixture is an emulator with two accounts: the default one
// (123456789012) and alt (222222222222).
type aclFixture struct {
	srv       *emulator.Server
	main, alt *s3.Client
	anon      *s3.Client
}

func newACLFixture(t *testing.T, legacy bool) *aclFixture {
	t.Helper()
	srv := startServer(t, emulator.Options{LegacyBucketDefaults: legacy, Credentials: []emulator.Credential{emulator.DefaultCredential(),
		{AccessKeyID: altKey, SecretAccessKey: altSecret, ARN: "arn:aws:iam::" + altAccount + ":user/alt"}}})
	client := func(p aws.CredentialsProvider) *s3.Client {
		cfg := aws.Config{Region: vpce.DefaultRegion, Credentials: p, HTTPClient: srv.Client()}
		return s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL()); o.UsePathStyle = true })
	}
	return &aclFixture{srv: srv,
		main: client(credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, "")),
		alt:  client(credentials.NewStaticCredentialsProvider(altKey, altSecret, "")),
		anon: client(aws.AnonymousCredentials{}),
	}
}

func (f *aclFixture) mustCreate(t *testing.T, c *s3.Client, in *s3.CreateBucketInput) {
	t.Helper()
	if _, err := c.CreateBucket(t.Context(), in); err != nil {
		t.Fatalf("CreateBucket %s: %v", aws.ToString(in.Bucket), err)
	}
}

func (f *aclFixture) mustPut(t *testing.T, c *s3.Client, in *s3.PutObjectInput) {
	t.Helper()
	if in.Body == nil {
		in.Body = strings.NewReader("data")
	}
	if _, err := c.PutObject(t.Context(), in); err != nil {
		t.Fatalf("PutObject %s/%s: %v", aws.ToString(in.Bucket), aws.ToString(in.Key), err)
	}
}

func bucketNames(t *testing.T, c *s3.Client) []string {
	t.Helper()
	out, err := c.ListBuckets(t.Context(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	var names []string
	for _, b := range out.Buckets {
		names = append(names, aws.ToString(b.Name))
	}
	return names
}

// Buckets belong to the account that created them: any account may
// create one, each lists its own, and a name taken by another account is
// BucketAlreadyExists.
func TestBucketsBelongToAccounts(t *testing.T) {
	f := newACLFixture(t, false)
	ctx := t.Context()
	f.mustCreate(t, f.main, &s3.CreateBucketInput{Bucket: aws.String("main-bucket")})
	f.mustCreate(t, f.alt, &s3.CreateBucketInput{Bucket: aws.String("alt-bucket")})

	if got := strings.Join(bucketNames(t, f.main), ","); got != "main-bucket" {
		t.Errorf("main's ListBuckets = %s, want main-bucket", got)
	}
	if got := strings.Join(bucketNames(t, f.alt), ","); got != "alt-bucket" {
		t.Errorf("alt's ListBuckets = %s, want alt-bucket", got)
	}
	// Pages of one bucket.
	f.mustCreate(t, f.main, &s3.CreateBucketInput{Bucket: aws.String("main-second")})
	var pages []string
	var token *string
	for range 3 {
		out, err := f.main.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1), ContinuationToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range out.Buckets {
			pages = append(pages, aws.ToString(b.Name))
		}
		if token = out.ContinuationToken; token == nil {
			break
		}
	}
	if got := strings.Join(pages, ","); got != "main-bucket,main-second" {
		t.Errorf("ListBuckets by pages of 1 = %s, want main-bucket,main-second", got)
	}
	tests := []struct {
		name   string
		client *s3.Client
		bucket string
		want   string
	}{
		{"another account's bucket", f.main, "alt-bucket", "BucketAlreadyExists"},
		{"own bucket in us-east-1", f.alt, "alt-bucket", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(tt.bucket)})
			if got := apiCode(err); !strings.HasPrefix(got, tt.want) || (tt.want == "") != (err == nil) {
				t.Fatalf("CreateBucket = %q, want %q", got, tt.want)
			}
		})
	}
	acl, err := f.alt.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("alt-bucket")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(acl.Owner.ID), s3api.CanonicalUserID(altAccount); got != want {
		t.Errorf("GetBucketAcl owner = %s, want alt's %s", got, want)
	}
	f.mustPut(t, f.alt, &s3.PutObjectInput{Bucket: aws.String("alt-bucket"), Key: aws.String("k")})
	list, err := f.alt.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("alt-bucket"), FetchOwner: aws.Bool(true)})
	if err != nil || len(list.Contents) != 1 {
		t.Fatalf("ListObjectsV2 = %+v, %v", list, err)
	}
	if got := aws.ToString(list.Contents[0].Owner.ID); got != s3api.CanonicalUserID(altAccount) {
		t.Errorf("object owner in listing = %s, want alt's", got)
	}
	// Another account is refused by the cross-account rule, not told the
	// bucket is missing.
	if _, err := f.main.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("alt-bucket")}); !strings.HasPrefix(apiCode(err), "AccessDenied") {
		t.Errorf("main lists alt's bucket: %v, want AccessDenied", err)
	}
}

// BucketOwnerEnforced, the default, refuses ACLs other than the bucket
// owner's full control.
func TestBucketOwnerEnforcedRefusesACLs(t *testing.T) {
	f := newACLFixture(t, false)
	ctx := t.Context()
	f.mustCreate(t, f.main, &s3.CreateBucketInput{Bucket: aws.String("enforced")})
	own, err := f.main.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("enforced")})
	if err != nil || own.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerEnforced {
		t.Fatalf("GetBucketOwnershipControls = %+v, %v; want BucketOwnerEnforced", own, err)
	}
	tests := []codeCase{
		{"CreateBucket public-read", func() error {
			_, err := f.main.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl-bucket"), ACL: types.BucketCannedACLPublicRead})
			return err
		}, "InvalidBucketAclWithObjectOwnership: Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"},
		{"CreateBucket private", func() error {
			_, err := f.main.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("private-bucket"), ACL: types.BucketCannedACLPrivate})
			return err
		}, ""},
		{"PutObject public-read", func() error {
			_, err := f.main.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enforced"), Key: aws.String("k"), ACL: types.ObjectCannedACLPublicRead, Body: strings.NewReader("x")})
			return err
		}, "AccessControlListNotSupported: The bucket does not allow ACLs"},
		{"PutObject bucket-owner-full-control", func() error {
			_, err := f.main.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enforced"), Key: aws.String("k"), ACL: types.ObjectCannedACLBucketOwnerFullControl, Body: strings.NewReader("x")})
			return err
		}, ""},
		{"PutBucketAcl public-read", func() error {
			_, err := f.main.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("enforced"), ACL: types.BucketCannedACLPublicRead})
			return err
		}, "AccessControlListNotSupported"},
		{"PutObjectAcl grant to alt", func() error {
			_, err := f.main.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("enforced"), Key: aws.String("k"), GrantRead: aws.String("id=" + s3api.CanonicalUserID(altAccount))})
			return err
		}, "AccessControlListNotSupported"},
	}
	runCodeCases(t, tests)
	// The private-ACL bucket is BucketOwnerPreferred, as S3 makes it.
	own, err = f.main.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("private-bucket")})
	if err != nil || own.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerPreferred {
		t.Errorf("ownership of a bucket created with ACL private = %+v, %v; want BucketOwnerPreferred", own, err)
	}
}

// In ObjectWriter buckets ACLs grant access: to another account's
// canonical ID, to AuthenticatedUsers and to AllUsers; a bucket policy's
// explicit Deny still wins, and IgnorePublicAcls drops public grants.
func TestACLsGrantAccess(t *testing.T) {
	f := newACLFixture(t, false)
	ctx := t.Context()
	b := aws.String("writer")
	f.mustCreate(t, f.main, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipObjectWriter})
	if _, err := f.main.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	f.mustPut(t, f.main, &s3.PutObjectInput{Bucket: b, Key: aws.String("public"), ACL: types.ObjectCannedACLPublicRead})
	f.mustPut(t, f.main, &s3.PutObjectInput{Bucket: b, Key: aws.String("private")})
	f.mustPut(t, f.main, &s3.PutObjectInput{Bucket: b, Key: aws.String("signed"), ACL: types.ObjectCannedACLAuthenticatedRead})

	get := func(c *s3.Client, key string) func() error {
		return func() error {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String(key)})
			if err == nil {
				out.Body.Close()
			}
			return err
		}
	}
	list := func(c *s3.Client) func() error {
		return func() error {
			_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b})
			return err
		}
	}
	// put writes a new object with a canonical ACL: s3:PutObject and
	// s3:PutObjectAcl on a key that does not exist yet.
	put := func(c *s3.Client, key string) func() error {
		return func() error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(key), ACL: types.ObjectCannedACLPublicRead})
			return err
		}
	}
	grantAltRead := func() {
		if _, err := f.main.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, GrantRead: aws.String("id=" + s3api.CanonicalUserID(altAccount)),
			GrantFullControl: aws.String("id=" + s3api.CanonicalUserID(emulator.DefaultAccountID))}); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name      string
		before    func()
		call      func() error
		want      string
		wantGrant string
	}{
		{name: "alt lists without a grant", call: list(f.alt), want: "AccessDenied"},
		{name: "alt lists with READ granted", before: grantAltRead, call: list(f.alt), wantGrant: "bucket ACL grants READ to canonical user " + s3api.CanonicalUserID(altAccount)},
		{name: "anonymous reads a public-read object", call: get(f.anon, "public"), wantGrant: "object ACL grants READ to AllUsers"},
		{name: "anonymous reads a private object", call: get(f.anon, "private"), want: "AccessDenied"},
		{name: "anonymous reads an authenticated-read object", call: get(f.anon, "signed"), want: "AccessDenied"},
		{name: "alt reads an authenticated-read object", call: get(f.alt, "signed"), wantGrant: "object ACL grants READ to AuthenticatedUsers"},
		{name: "alt reads a missing key it may list", call: get(f.alt, "missing"), want: "NoSuchKey"},
		{name: "alt writes a new object with an ACL without a WRITE grant", call: put(f.alt, "alt-new"), want: "AccessDenied"},
		{name: "alt writes a new object with an ACL under a WRITE grant", before: func() {
			if _, err := f.main.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, GrantRead: aws.String("id=" + s3api.CanonicalUserID(altAccount)),
				GrantWrite:       aws.String("id=" + s3api.CanonicalUserID(altAccount)),
				GrantFullControl: aws.String("id=" + s3api.CanonicalUserID(emulator.DefaultAccountID))}); err != nil {
				t.Fatal(err)
			}
		}, call: put(f.alt, "alt-new"), wantGrant: "bucket ACL grants WRITE to canonical user " + s3api.CanonicalUserID(altAccount)},
		{name: "explicit deny wins over the ACL", before: func() {
			f.srv.SetBucketPolicy("writer", `{"Version":"2012-10-17","Statement":[{"Sid":"NoAnon","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::writer/*","Condition":{"Null":{"aws:PrincipalAccount":"true"}}}]}`)
		}, call: get(f.anon, "public"), want: "AccessDenied"},
		{name: "IgnorePublicAcls drops AllUsers", before: func() {
			f.srv.SetBucketPolicy("writer", "")
			if _, err := f.main.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b,
				PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{IgnorePublicAcls: aws.Bool(true)}}); err != nil {
				t.Fatal(err)
			}
		}, call: get(f.anon, "public"), want: "AccessDenied"},
		{name: "IgnorePublicAcls keeps canonical grants", call: list(f.alt), wantGrant: "bucket ACL grants READ to canonical user"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.before != nil {
				st.before()
			}
			err := st.call()
			if got := apiCode(err); !strings.HasPrefix(got, st.want) || (st.want == "") != (err == nil) {
				t.Fatalf("got %q, want %q", got, st.want)
			}
			if st.wantGrant == "" {
				return
			}
			d := f.srv.RecentDecisions(1)[0]
			last := d.Checks[len(d.Checks)-1]
			if !strings.HasPrefix(last.Grant, st.wantGrant) {
				t.Errorf("decision record grant = %q, want %q", last.Grant, st.wantGrant)
			}
			if !strings.Contains(d.Explain(), "allowed by ACL: "+st.wantGrant) {
				t.Errorf("Explain does not show the grant:\n%s", d.Explain())
			}
		})
	}
	acl, err := f.alt.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: aws.String("signed")})
	if err == nil {
		t.Fatalf("alt reads the ACL of an object it has only READ on: %+v", acl)
	}
	// BucketOwnerEnforced is refused while the ACL grants others.
	_, err = f.main.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b,
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}})
	if got := apiCode(err); !strings.HasPrefix(got, "InvalidBucketAclWithObjectOwnership") {
		t.Errorf("BucketOwnerEnforced over a bucket ACL granting alt: %q, want InvalidBucketAclWithObjectOwnership", got)
	}
}

// Block public access, on by default: public policies and ACLs are
// refused; GetBucketPolicyStatus tells public from non-public policies;
// RestrictPublicBuckets keeps other accounts out of a public bucket.
func TestBlockPublicAccess(t *testing.T) {
	f := newACLFixture(t, false)
	ctx := t.Context()
	b := aws.String("bpa")
	f.mustCreate(t, f.main, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipObjectWriter})
	f.mustPut(t, f.main, &s3.PutObjectInput{Bucket: b, Key: aws.String("k")})
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bpa/*"}]}`
	private := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bpa/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}]}`
	status := func(want bool) func() error {
		return func() error {
			out, err := f.main.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b})
			if err == nil && aws.ToBool(out.PolicyStatus.IsPublic) != want {
				t.Errorf("IsPublic = %v, want %v", aws.ToBool(out.PolicyStatus.IsPublic), want)
			}
			return err
		}
	}
	putPolicy := func(doc string) func() error {
		return func() error {
			_, err := f.main.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(doc)})
			return err
		}
	}
	setBlock := func(cfg types.PublicAccessBlockConfiguration) func() {
		return func() {
			if _, err := f.main.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &cfg}); err != nil {
				t.Fatal(err)
			}
		}
	}
	getAlt := func() error {
		out, err := f.alt.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("k")})
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	steps := []struct {
		name   string
		before func()
		call   func() error
		want   string
	}{
		{name: "no policy: no status", call: status(false), want: "NoSuchBucketPolicy"},
		{name: "public policy blocked", call: putPolicy(public), want: "AccessDenied: Access Denied"},
		{name: "public ACL blocked", call: func() error {
			_, err := f.main.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: aws.String("k"), ACL: types.ObjectCannedACLPublicRead})
			return err
		}, want: "AccessDenied"},
		{name: "non-public policy accepted", call: putPolicy(private)},
		{name: "non-public status", call: status(false)},
		{name: "public policy once unblocked", before: setBlock(types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}), call: putPolicy(public)},
		{name: "public status", call: status(true)},
		{name: "RestrictPublicBuckets keeps alt out", call: getAlt, want: "AccessDenied"},
		{name: "public policy lets alt in", before: setBlock(types.PublicAccessBlockConfiguration{}), call: getAlt},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.before != nil {
				st.before()
			}
			err := st.call()
			if got := apiCode(err); !strings.HasPrefix(got, st.want) || (st.want == "") != (err == nil) {
				t.Fatalf("got %q, want %q", got, st.want)
			}
		})
	}
}

// Smaller rules: an anonymous request to a missing bucket is 404; a
// mismatched x-amz-expected-bucket-owner is 403.
func TestMissingBucketAndExpectedOwner(t *testing.T) {
	f := newACLFixture(t, false)
	ctx := t.Context()
	f.mustCreate(t, f.main, &s3.CreateBucketInput{Bucket: aws.String("mine")})
	f.mustPut(t, f.main, &s3.PutObjectInput{Bucket: aws.String("mine"), Key: aws.String("k")})
	tests := []codeCase{
		{"anonymous GET in a missing bucket", func() error {
			_, err := f.anon.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nosuchbucket"), Key: aws.String("k")})
			return err
		}, "NoSuchBucket"},
		{"expected owner matches", func() error {
			_, err := f.main.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mine"), Key: aws.String("k"), ExpectedBucketOwner: aws.String(emulator.DefaultAccountID)})
			return err
		}, ""},
		{"expected owner differs (object)", func() error {
			_, err := f.main.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("mine"), Key: aws.String("k"), ExpectedBucketOwner: aws.String(altAccount)})
			return err
		}, "AccessDenied: Access Denied"},
		{"expected owner differs (bucket)", func() error {
			_, err := f.main.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("mine"), ExpectedBucketOwner: aws.String(altAccount)})
			return err
		}, "AccessDenied"},
		{"expected source owner differs", func() error {
			_, err := f.main.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("mine"), Key: aws.String("copy"), CopySource: aws.String("mine/k"),
				ExpectedSourceBucketOwner: aws.String(altAccount)})
			return err
		}, "AccessDenied"},
	}
	runCodeCases(t, tests)
	// Raw: the anonymous 404 is S3's XML with the bucket's name.
	resp, err := f.srv.Client().Get(f.srv.URL() + "/nosuchbucket/k")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("anonymous raw GET: status %d, want 404", resp.StatusCode)
	}
}

// codeCase is one call whose S3 error code is checked: want is a prefix
// of the code, "" for success.
type codeCase struct {
	name string
	call func() error
	want string
}

// runCodeCases runs each case as a subtest, in order.
func runCodeCases(t *testing.T, cases []codeCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if got := apiCode(err); !strings.HasPrefix(got, tt.want) || (tt.want == "") != (err == nil) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
