package store

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"
)

// engine builds one kind of store for the suite.
type engine struct {
	name string
	open func(t testing.TB, opts Options) *Store
}

// engines are the store kinds every behaviour test runs against.
func engines() []engine {
	return []engine{
		{"memory", func(t testing.TB, opts Options) *Store {
			s := NewMemory(opts)
			t.Cleanup(func() { _ = s.Close() })
			return s
		}},
		{"dir", func(t testing.TB, opts Options) *Store {
			s, err := OpenDir(t.TempDir(), opts)
			if err != nil {
				t.Fatalf("OpenDir: %v", err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		}},
	}
}

// forEachEngine runs fn as a subtest per engine.
func forEachEngine(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Helper()
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) { fn(t, e.open(t, Options{})) })
	}
}

func mustBucket(t testing.TB, s *Store, name string, v Versioning) {
	t.Helper()
	if err := s.CreateBucket(Bucket{Name: name, Versioning: v}); err != nil {
		t.Fatalf("CreateBucket(%s): %v", name, err)
	}
}

func put(t testing.TB, s *Store, bucket, key, body string) *Version {
	t.Helper()
	v, err := s.PutObject(t.Context(), bucket, key, PutInput{Body: strings.NewReader(body), Size: int64(len(body))})
	if err != nil {
		t.Fatalf("PutObject(%s/%s): %v", bucket, key, err)
	}
	return v
}

func read(t testing.TB, s *Store, v *Version, off, n int64) string {
	t.Helper()
	r, err := s.Open(v, off, n)
	if err != nil {
		t.Fatalf("Open(%s/%s %s): %v", v.Bucket, v.Key, v.VersionID, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading %s/%s %s: %v", v.Bucket, v.Key, v.VersionID, err)
	}
	return string(b)
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func versions(t testing.TB, s *Store, bucket, key string) []*Version {
	t.Helper()
	var out []*Version
	if err := s.ListVersions(bucket, key, "", "", func(v *Version) bool {
		if v.Key == key {
			out = append(out, v)
		}
		return true
	}); err != nil {
		t.Fatalf("ListVersions: %v", err)
	}
	return out
}

func TestBuckets(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		for _, n := range []string{"b2", "a1", "c3"} {
			mustBucket(t, s, n, Unversioned)
		}
		if err := s.CreateBucket(Bucket{Name: "a1"}); !errors.Is(err, ErrBucketExists) {
			t.Errorf("second CreateBucket: %v, want ErrBucketExists", err)
		}
		bs, err := s.Buckets()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, b := range bs {
			names = append(names, b.Name)
			if b.Created.IsZero() {
				t.Errorf("bucket %s: zero Created", b.Name)
			}
		}
		if !slices.Equal(names, []string{"a1", "b2", "c3"}) {
			t.Errorf("Buckets = %v", names)
		}
		want := Bucket{
			Name: "a1", Owner: "123456789012", Versioning: Enabled, Policy: []byte(`{"Version":"2012-10-17"}`),
			Tags:   []Tag{{"z", "1"}, {"a", "2"}},
			Config: map[string][]byte{"cors": []byte("<CORSConfiguration/>"), "acl": []byte("x")},
		}
		got, err := s.UpdateBucket("a1", func(b *Bucket) error {
			created := b.Created
			want.Created = created
			b.Owner, b.Versioning, b.Policy, b.Tags, b.Config = want.Owner, want.Versioning, want.Policy, want.Tags, want.Config
			b.Name, b.Created = "renamed", time.Time{} // ignored
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.Bucket("a1")
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range []*Bucket{got, again} {
			if b.Name != "a1" || !b.Created.Equal(want.Created) || b.Owner != want.Owner || b.Versioning != Enabled ||
				!bytes.Equal(b.Policy, want.Policy) || !slices.Equal(b.Tags, want.Tags) ||
				!bytes.Equal(b.Config["cors"], want.Config["cors"]) || len(b.Config) != 2 {
				t.Errorf("bucket after update = %+v, want %+v", b, want)
			}
		}
		// A failing update changes nothing.
		boom := errors.New("boom")
		if _, err := s.UpdateBucket("a1", func(b *Bucket) error { b.Policy = nil; return boom }); !errors.Is(err, boom) {
			t.Errorf("UpdateBucket error = %v, want boom", err)
		}
		if b, _ := s.Bucket("a1"); b.Policy == nil {
			t.Error("failed UpdateBucket changed the bucket")
		}
		if _, err := s.Bucket("nope"); !errors.Is(err, ErrNoSuchBucket) {
			t.Errorf("Bucket(nope) = %v", err)
		}
		// Not empty: a version, a delete marker only. An in-progress upload
		// does not keep a bucket (S3 deletes it with the bucket).
		put(t, s, "b2", "k", "x")
		if err := s.DeleteBucket("b2"); !errors.Is(err, ErrBucketNotEmpty) {
			t.Errorf("DeleteBucket with an object: %v", err)
		}
		if _, err := s.DeleteObject("a1", "k", "", nil); err != nil { // a delete marker
			t.Fatal(err)
		}
		if err := s.DeleteBucket("a1"); !errors.Is(err, ErrBucketNotEmpty) {
			t.Errorf("DeleteBucket with a delete marker: %v", err)
		}
		u, err := s.CreateUpload("c3", "k", ObjectMeta{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutPart(t.Context(), "c3", "k", u.ID, 1, strings.NewReader(strings.Repeat("p", 100<<10)), 100<<10, Checksum{}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteBucket("c3"); err != nil {
			t.Errorf("DeleteBucket with an upload in progress: %v", err)
		}
		if err := s.CreateBucket(Bucket{Name: "c3"}); err != nil {
			t.Fatal(err)
		}
		if ups, err := s.Uploads("c3", ""); err != nil || len(ups) != 0 {
			t.Errorf("uploads of a re-created bucket: %v, %v; want none", ups, err)
		}
		if _, err := s.Parts("c3", "k", u.ID); !errors.Is(err, ErrNoSuchUpload) {
			t.Errorf("parts of the deleted bucket's upload: %v", err)
		}
		mustBucket(t, s, "d4", Unversioned)
		if err := s.DeleteBucket("d4"); err != nil {
			t.Errorf("DeleteBucket(empty): %v", err)
		}
		if err := s.DeleteBucket("d4"); !errors.Is(err, ErrNoSuchBucket) {
			t.Errorf("DeleteBucket twice: %v", err)
		}
		if _, err := s.PutObject(t.Context(), "d4", "k", PutInput{Body: strings.NewReader(""), Size: 0}); !errors.Is(err, ErrNoSuchBucket) {
			t.Errorf("PutObject into a deleted bucket: %v", err)
		}
	})
}

// A versioning step: set versioning, put (body), delete (no version), or
// delete a version by alias. Results are recorded under as.
type vstep struct {
	op   string // "versioning", "put", "delete", "deleteVersion"
	arg  string // state, body, or alias
	as   string
	want error
	// wantRes is the DeleteResult expected: "alias" or "alias:dm"; "" for
	// no check; "-" for an empty result.
	wantRes string
}

func TestVersioning(t *testing.T) {
	cases := []struct {
		name  string
		steps []vstep
		// want lists the key's versions newest first: alias, or alias:dm
		// for a delete marker; alias "null" means a "null" version.
		want []string
	}{
		{"unversioned put replaces", []vstep{
			{op: "put", arg: "one", as: "a"}, {op: "put", arg: "two", as: "b"},
		}, []string{"b"}},
		{"unversioned delete removes", []vstep{
			{op: "put", arg: "one", as: "a"}, {op: "delete", wantRes: "a"}, {op: "delete", wantRes: "-"},
		}, nil},
		{"enabled put adds", []vstep{
			{op: "versioning", arg: "Enabled"}, {op: "put", arg: "one", as: "a"}, {op: "put", arg: "two", as: "b"},
		}, []string{"b", "a"}},
		{"enabled delete adds marker", []vstep{
			{op: "versioning", arg: "Enabled"}, {op: "put", arg: "one", as: "a"}, {op: "delete", as: "m", wantRes: "m:dm"},
			{op: "delete", as: "m2", wantRes: "m2:dm"},
		}, []string{"m2:dm", "m:dm", "a"}},
		{"removing the marker restores the version", []vstep{
			{op: "versioning", arg: "Enabled"}, {op: "put", arg: "one", as: "a"}, {op: "put", arg: "two", as: "b"},
			{op: "delete", as: "m"}, {op: "deleteVersion", arg: "m", wantRes: "m:dm"},
		}, []string{"b", "a"}},
		{"removing the current version makes the previous current", []vstep{
			{op: "versioning", arg: "Enabled"}, {op: "put", arg: "one", as: "a"}, {op: "put", arg: "two", as: "b"},
			{op: "deleteVersion", arg: "b", wantRes: "b"},
		}, []string{"a"}},
		{"removing an old version", []vstep{
			{op: "versioning", arg: "Enabled"}, {op: "put", arg: "one", as: "a"}, {op: "put", arg: "two", as: "b"},
			{op: "deleteVersion", arg: "a", wantRes: "a"},
		}, []string{"b"}},
		{"null version kept when versioning is enabled", []vstep{
			{op: "put", arg: "n", as: "n"}, {op: "versioning", arg: "Enabled"}, {op: "put", arg: "one", as: "a"},
		}, []string{"a", "n"}},
		{"suspended put replaces an old null version and becomes newest", []vstep{
			{op: "put", arg: "n1", as: "n1"}, {op: "versioning", arg: "Enabled"}, {op: "put", arg: "one", as: "a"},
			{op: "put", arg: "two", as: "b"}, {op: "versioning", arg: "Suspended"}, {op: "put", arg: "n2", as: "n2"},
		}, []string{"n2", "b", "a"}},
		{"suspended delete replaces the null version with a null marker", []vstep{
			{op: "versioning", arg: "Enabled"}, {op: "put", arg: "one", as: "a"}, {op: "versioning", arg: "Suspended"},
			{op: "put", arg: "n", as: "n"}, {op: "delete", as: "m", wantRes: "m:dm"},
		}, []string{"m:dm", "a"}},
		{"suspended delete without a null version", []vstep{
			{op: "versioning", arg: "Enabled"}, {op: "put", arg: "one", as: "a"}, {op: "versioning", arg: "Suspended"},
			{op: "delete", as: "m"},
		}, []string{"m:dm", "a"}},
		{"suspended put replaces a null marker", []vstep{
			{op: "versioning", arg: "Enabled"}, {op: "put", arg: "one", as: "a"}, {op: "versioning", arg: "Suspended"},
			{op: "delete", as: "m"}, {op: "put", arg: "n", as: "n"},
		}, []string{"n", "a"}},
		{"removing the null version by ID", []vstep{
			{op: "put", arg: "n", as: "n"}, {op: "versioning", arg: "Enabled"}, {op: "put", arg: "one", as: "a"},
			{op: "deleteVersion", arg: "n", wantRes: "n"},
		}, []string{"a"}},
		{"absent version", []vstep{
			{op: "versioning", arg: "Enabled"}, {op: "put", arg: "one", as: "a"},
			{op: "deleteVersion", arg: "nope", want: ErrNoSuchVersion},
		}, []string{"a"}},
		{"zero-byte bodies", []vstep{
			{op: "versioning", arg: "Enabled"}, {op: "put", arg: "", as: "a"}, {op: "put", arg: "", as: "b"},
		}, []string{"b", "a"}},
	}
	forEachEngine(t, func(t *testing.T, s *Store) {
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				bucket := fmt.Sprintf("v%d", i)
				mustBucket(t, s, bucket, Unversioned)
				ids := map[string]string{"nope": "nope"}
				bodies := map[string]string{}
				var order []string // aliases as assigned: the last one with an ID names it
				for j, st := range c.steps {
					var err error
					var res DeleteResult
					switch st.op {
					case "versioning":
						_, err = s.UpdateBucket(bucket, func(b *Bucket) error { b.Versioning = Versioning(st.arg); return nil })
					case "put":
						var v *Version
						v, err = s.PutObject(t.Context(), bucket, "k", PutInput{Body: strings.NewReader(st.arg), Size: int64(len(st.arg))})
						if err == nil {
							ids[st.as], bodies[st.as] = v.VersionID, st.arg
							order = append(order, st.as)
							if v.ETag != md5hex(st.arg) || !v.IsLatest || v.Size != int64(len(st.arg)) {
								t.Errorf("step %d: put returned %+v", j, v)
							}
						}
					case "delete":
						res, err = s.DeleteObject(bucket, "k", "", nil)
						if st.as != "" {
							ids[st.as] = res.VersionID
							order = append(order, st.as)
						}
					case "deleteVersion":
						res, err = s.DeleteObject(bucket, "k", ids[st.arg], nil)
					}
					if !errors.Is(err, st.want) || (err != nil && st.want == nil) {
						t.Fatalf("step %d (%s %s): error %v, want %v", j, st.op, st.arg, err, st.want)
					}
					switch {
					case st.wantRes == "-":
						if res != (DeleteResult{}) {
							t.Errorf("step %d: result %+v, want none", j, res)
						}
					case st.wantRes != "":
						alias, dm := strings.CutSuffix(st.wantRes, ":dm")
						if res.VersionID != ids[alias] || res.DeleteMarker != dm {
							t.Errorf("step %d: result %+v, want %s (%q)", j, res, st.wantRes, ids[alias])
						}
					}
				}
				bk, _ := s.Bucket(bucket)
				vs := versions(t, s, bucket, "k")
				var got []string
				for k, v := range vs {
					name := "?" + v.VersionID
					for _, alias := range slices.Backward(order) {
						if ids[alias] == v.VersionID {
							name = alias
							break
						}
					}
					if v.DeleteMarker {
						name += ":dm"
					}
					got = append(got, name)
					if v.IsLatest != (k == 0) {
						t.Errorf("version %s: IsLatest %v", name, v.IsLatest)
					}
					if wantNull := bk.Versioning != Enabled && (v.VersionID == NullVersionID); wantNull && len(v.VersionID) != 4 {
						t.Errorf("bad null ID")
					}
					if !v.DeleteMarker {
						if b := read(t, s, v, 0, -1); b != bodies[strings.TrimSuffix(name, ":dm")] {
							t.Errorf("version %s body %q", name, b)
						}
					}
				}
				if !slices.Equal(got, c.want) {
					t.Errorf("versions = %v, want %v", got, c.want)
				}
				// The current version, by ID too, with IsLatest.
				cur, err := s.Object(bucket, "k", "")
				switch {
				case len(c.want) == 0:
					if !errors.Is(err, ErrNoSuchKey) {
						t.Errorf("Object of a key with no versions: %v", err)
					}
				case err != nil:
					t.Errorf("Object: %v", err)
				default:
					if cur.VersionID != vs[0].VersionID || !cur.IsLatest || cur.DeleteMarker != vs[0].DeleteMarker {
						t.Errorf("current = %+v, want %+v", cur, vs[0])
					}
					for k, v := range vs {
						byID, err := s.Object(bucket, "k", v.VersionID)
						if err != nil || byID.IsLatest != (k == 0) || byID.ETag != v.ETag {
							t.Errorf("Object by ID %s = %+v, %v", v.VersionID, byID, err)
						}
					}
				}
				if _, err := s.Object(bucket, "k", "absent"); len(c.want) > 0 && !errors.Is(err, ErrNoSuchVersion) {
					t.Errorf("Object(absent version) = %v, want ErrNoSuchVersion", err)
				}
				// Every version ID is "null" or 32 URL-safe characters.
				for _, v := range vs {
					if v.VersionID != NullVersionID && len(v.VersionID) != 32 {
						t.Errorf("version ID %q", v.VersionID)
					}
				}
			})
		}
		// Bodies of removed versions are gone: each stored body is named by
		// exactly one non-empty version.
		want := 0
		for _, b := range mustBuckets(t, s) {
			for _, v := range versions(t, s, b.Name, "k") {
				want += len(v.Body)
			}
		}
		if got := blobCount(t, s); got != want {
			t.Errorf("%d bodies stored, %d named by versions", got, want)
		}
	})
}

func mustBuckets(t testing.TB, s *Store) []*Bucket {
	t.Helper()
	bs, err := s.Buckets()
	if err != nil {
		t.Fatal(err)
	}
	return bs
}

// blobCount is the number of bodies the store holds: blobs and inline.
func blobCount(t testing.TB, s *Store) int {
	t.Helper()
	return fileCount(t, s) + inlineCount(t, s)
}

// fileCount is the number of blobs (bodies not inline) the store holds.
func fileCount(t testing.TB, s *Store) int {
	t.Helper()
	switch b := s.blobs.(type) {
	case *memBlobs:
		return b.count()
	case interface{ count() (int, error) }:
		n, err := b.count()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Fatalf("blobs %T cannot count", s.blobs)
	return 0
}

// inlineCount is the number of inline bodies the store holds.
func inlineCount(t testing.TB, s *Store) int {
	t.Helper()
	n := 0
	if err := s.kv.view(func(tx kvTx) error {
		return tx.seek(tableInline, nil, func(_, _ []byte) bool { n++; return true })
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPutBody(t *testing.T) {
	readerErr := &customErr{"network went away"}
	verdict := &customErr{"signature does not match"}
	big := strings.Repeat("0123456789abcdef", 600<<10/16) // several copy buffers
	cases := []struct {
		name     string
		body     func() io.Reader
		size     int64
		want     error // nil: stored, with body wantBody
		wantBody string
	}{
		{"short body", func() io.Reader { return strings.NewReader("abc") }, 4, ErrIncompleteBody, ""},
		{"nil body", func() io.Reader { return nil }, 4, ErrIncompleteBody, ""},
		{"reader error", func() io.Reader { return io.MultiReader(strings.NewReader("ab"), errReader{readerErr}) }, 4, readerErr, ""},
		{"longer body", func() io.Reader { return strings.NewReader("abcdef") }, 3, ErrBodyTooLong, ""},
		{"one byte more", func() io.Reader { return strings.NewReader("abcd") }, 3, ErrBodyTooLong, ""},
		{"verdict at the end", func() io.Reader { return io.MultiReader(strings.NewReader("abc"), errReader{verdict}) }, 3, verdict, ""},
		{"verdict at the end, unknown size", func() io.Reader { return io.MultiReader(strings.NewReader("abc"), errReader{verdict}) }, -1, verdict, ""},
		{"verdict at the end, empty", func() io.Reader { return errReader{verdict} }, 0, verdict, ""},
		{"exact size", func() io.Reader { return strings.NewReader("abc") }, 3, nil, "abc"},
		{"data with EOF", func() io.Reader { return iotest.DataErrReader(strings.NewReader("abc")) }, 3, nil, "abc"},
		{"one byte a read", func() io.Reader { return iotest.OneByteReader(strings.NewReader("abc")) }, 3, nil, "abc"},
		{"unknown size", func() io.Reader { return strings.NewReader("abcdef") }, -1, nil, "abcdef"},
		{"unknown size, one byte a read", func() io.Reader { return iotest.OneByteReader(strings.NewReader("abcdef")) }, -1, nil, "abcdef"},
		{"unknown size, empty", func() io.Reader { return strings.NewReader("") }, -1, nil, ""},
		{"unknown size, large", func() io.Reader { return strings.NewReader(big) }, -1, nil, big},
		{"known size, large", func() io.Reader { return strings.NewReader(big) }, int64(len(big)), nil, big},
	}
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "b", Unversioned)
		first := put(t, s, "b", "k", "kept")
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				v, err := s.PutObject(t.Context(), "b", "k", PutInput{Body: c.body(), Size: c.size})
				if c.want == nil {
					if err != nil {
						t.Fatalf("PutObject: %v", err)
					}
					got, err := s.Object("b", "k", "")
					if err != nil {
						t.Fatal(err)
					}
					for _, x := range []*Version{v, got} {
						if x.Size != int64(len(c.wantBody)) || x.ETag != md5hex(c.wantBody) {
							t.Errorf("stored size %d ETag %s, want %d %s", x.Size, x.ETag, len(c.wantBody), md5hex(c.wantBody))
						}
					}
					if b := read(t, s, got, 0, -1); b != c.wantBody {
						t.Errorf("body %d bytes, want %d", len(b), len(c.wantBody))
					}
					first = put(t, s, "b", "k", "kept") // restore
					return
				}
				if !errors.Is(err, c.want) {
					t.Fatalf("PutObject error %v, want %v", err, c.want)
				}
				var ce *customErr
				if (c.want == error(readerErr) || c.want == error(verdict)) && !errors.As(err, &ce) {
					t.Errorf("errors.As cannot find the reader's error in %v", err)
				}
				cur, err := s.Object("b", "k", "")
				if err != nil || cur.ETag != first.ETag || read(t, s, cur, 0, -1) != "kept" {
					t.Errorf("after a failed put, current = %+v, %v", cur, err)
				}
				if n := blobCount(t, s); n != 1 {
					t.Errorf("%d bodies stored after a failed put, want 1", n)
				}
			})
		}
		t.Run("part of unknown size", func(t *testing.T) {
			u, err := s.CreateUpload("b", "mp", ObjectMeta{})
			if err != nil {
				t.Fatal(err)
			}
			p, err := s.PutPartInput(t.Context(), "b", "mp", u.ID, 1, PartInput{Body: strings.NewReader(big), Size: -1})
			if err != nil || p.Size != int64(len(big)) || p.ETag != md5hex(big) {
				t.Fatalf("PutPartInput of unknown size = %+v, %v", p, err)
			}
			if _, err := s.PutPartInput(t.Context(), "b", "mp", u.ID, 2, PartInput{Body: strings.NewReader("abc"), Size: 2}); !errors.Is(err, ErrBodyTooLong) {
				t.Errorf("PutPartInput of a longer body: %v, want ErrBodyTooLong", err)
			}
			if err := s.AbortUpload("b", "mp", u.ID); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("cancelled context", func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			_, err := s.PutObject(ctx, "b", "k", PutInput{Body: strings.NewReader("abc"), Size: 3})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("PutObject with a cancelled context: %v", err)
			}
		})
		t.Run("meta round trip", func(t *testing.T) {
			meta := ObjectMeta{
				Metadata: map[string]string{"a": "1"}, Headers: map[string]string{"Content-Type": "text/plain"},
				Checksum: Checksum{Algorithm: "CRC32", Value: "AAAAAA==", Type: "FULL_OBJECT"},
				Tags:     []Tag{{"t", "v"}}, ACL: []byte("acl"), StorageClass: "STANDARD", Owner: "o",
				Extra: map[string][]byte{"legal-hold": []byte("ON")},
			}
			_, err := s.PutObject(t.Context(), "b", "m", PutInput{Meta: meta, Body: strings.NewReader("x"), Size: 1})
			if err != nil {
				t.Fatal(err)
			}
			v, err := s.Object("b", "m", "")
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(v.ObjectMeta) != fmt.Sprint(meta) {
				t.Errorf("meta = %+v, want %+v", v.ObjectMeta, meta)
			}
			u, err := s.UpdateObject("b", "m", "", func(v *Version) error {
				v.Tags = []Tag{{"new", "1"}}
				v.Size, v.ETag, v.VersionID = 99, "x", "x" // ignored
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			again, _ := s.Object("b", "m", "")
			for _, x := range []*Version{u, again} {
				if !slices.Equal(x.Tags, []Tag{{"new", "1"}}) || x.Size != 1 || x.ETag != v.ETag || x.VersionID != v.VersionID {
					t.Errorf("after UpdateObject: %+v", x)
				}
			}
		})
	})
}

type customErr struct{ msg string }

func (e *customErr) Error() string { return e.msg }

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestUpdateObjectMarker(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "b", Enabled)
		put(t, s, "b", "k", "x")
		res, _ := s.DeleteObject("b", "k", "", nil)
		if _, err := s.UpdateObject("b", "k", "", func(*Version) error { return nil }); !errors.Is(err, ErrNoSuchKey) {
			t.Errorf("UpdateObject on a current delete marker: %v", err)
		}
		var sawDM bool
		if _, err := s.UpdateObject("b", "k", res.VersionID, func(v *Version) error { sawDM = v.DeleteMarker; return nil }); err != nil || !sawDM {
			t.Errorf("UpdateObject on a marker by ID: %v, saw marker %v", err, sawDM)
		}
	})
}

func TestListing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "b", Enabled)
		mustBucket(t, s, "other", Unversioned)
		put(t, s, "other", "a", "x")
		keys := []string{"a/b", "a", "a\x00z", "b", "a/c", "c", "ab"}
		for _, k := range keys {
			put(t, s, "b", k, "1"+k)
			put(t, s, "b", k, "2"+k)
		}
		if _, err := s.DeleteObject("b", "b", "", nil); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			prefix, after string
			limit         int
			want          []string
		}{
			{"", "", 0, []string{"a", "a\x00z", "a/b", "a/c", "ab", "c"}},
			{"a", "", 0, []string{"a", "a\x00z", "a/b", "a/c", "ab"}},
			{"a/", "", 0, []string{"a/b", "a/c"}},
			{"", "a", 0, []string{"a\x00z", "a/b", "a/c", "ab", "c"}},
			{"", "a/b", 2, []string{"a/c", "ab"}},
			{"a", "zzz", 0, nil},
			{"zz", "", 0, nil},
			{"", "", 1, []string{"a"}},
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("objects prefix=%q after=%q", c.prefix, c.after), func(t *testing.T) {
				var got []string
				err := s.ListObjects("b", c.prefix, c.after, func(v *Version) bool {
					got = append(got, v.Key)
					if !v.IsLatest || v.DeleteMarker || read(t, s, v, 0, -1) != "2"+v.Key {
						t.Errorf("listed %+v", v)
					}
					return c.limit == 0 || len(got) < c.limit
				})
				if err != nil || !slices.Equal(got, c.want) {
					t.Errorf("ListObjects = %q, %v; want %q", got, err, c.want)
				}
			})
		}
		t.Run("versions paged one at a time", func(t *testing.T) {
			var all []*Version
			if err := s.ListVersions("b", "", "", "", func(v *Version) bool { all = append(all, v); return true }); err != nil {
				t.Fatal(err)
			}
			if len(all) != 2*len(keys)+1 {
				t.Fatalf("%d versions listed", len(all))
			}
			for i, v := range all {
				if i > 0 && all[i-1].Key > v.Key {
					t.Errorf("keys out of order at %d", i)
				}
				first := i == 0 || all[i-1].Key != v.Key
				if v.IsLatest != first {
					t.Errorf("%s %s IsLatest %v", v.Key, v.VersionID, v.IsLatest)
				}
			}
			if !all[len(all)-5].DeleteMarker || all[len(all)-5].Key != "b" {
				t.Errorf("marker of b not listed first of b: %+v", all[len(all)-5])
			}
			// Page by markers: the pages joined are the whole list.
			var paged []*Version
			km, vm := "", ""
			for {
				var page []*Version
				if err := s.ListVersions("b", "", km, vm, func(v *Version) bool {
					page = append(page, v)
					return len(page) < 1
				}); err != nil {
					t.Fatal(err)
				}
				if len(page) == 0 {
					break
				}
				paged = append(paged, page...)
				km, vm = page[0].Key, page[0].VersionID
			}
			if len(paged) != len(all) {
				t.Fatalf("paged %d, want %d", len(paged), len(all))
			}
			for i := range all {
				if paged[i].Key != all[i].Key || paged[i].VersionID != all[i].VersionID || paged[i].IsLatest != all[i].IsLatest {
					t.Errorf("page entry %d = %s %s %v, want %s %s %v", i, paged[i].Key, paged[i].VersionID, paged[i].IsLatest,
						all[i].Key, all[i].VersionID, all[i].IsLatest)
				}
			}
			// Key marker alone: after all versions of that key.
			var after []string
			_ = s.ListVersions("b", "", "a/c", "", func(v *Version) bool { after = append(after, v.Key); return true })
			if !slices.Equal(after, []string{"ab", "ab", "b", "b", "b", "c", "c"}) {
				t.Errorf("after key marker a/c: %q", after)
			}
			// A version marker deleted since: start at the key's remaining versions.
			vs := versions(t, s, "b", "c")
			if _, err := s.DeleteObject("b", "c", vs[0].VersionID, nil); err != nil {
				t.Fatal(err)
			}
			var rest []string
			_ = s.ListVersions("b", "", "c", vs[0].VersionID, func(v *Version) bool { rest = append(rest, v.VersionID); return true })
			if !slices.Equal(rest, []string{vs[1].VersionID}) {
				t.Errorf("after a deleted version marker: %q, want %q", rest, vs[1].VersionID)
			}
		})
		if err := s.ListObjects("nope", "", "", func(*Version) bool { return true }); !errors.Is(err, ErrNoSuchBucket) {
			t.Errorf("ListObjects(nope) = %v", err)
		}
		if err := s.ListVersions("nope", "", "", "", func(*Version) bool { return true }); !errors.Is(err, ErrNoSuchBucket) {
			t.Errorf("ListVersions(nope) = %v", err)
		}
	})
}

// TestListingLarge crosses the listing's batch size, with the callback
// writing to the store (it runs outside the read transaction).
func TestListingLarge(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "b", Unversioned)
		n := listBatch*2 + 7
		for i := range n {
			put(t, s, "b", fmt.Sprintf("k%05d", i), "")
		}
		count := 0
		err := s.ListObjects("b", "", "", func(v *Version) bool {
			if want := fmt.Sprintf("k%05d", count); v.Key != want {
				t.Errorf("listed %s, want %s", v.Key, want)
			}
			count++
			if _, err := s.DeleteObject("b", v.Key, "", nil); err != nil {
				t.Errorf("delete inside the callback: %v", err)
			}
			return true
		})
		if err != nil || count != n {
			t.Errorf("listed %d of %d: %v", count, n, err)
		}
		vcount := 0
		_ = s.ListVersions("b", "", "", "", func(*Version) bool { vcount++; return true })
		if vcount != 0 {
			t.Errorf("%d versions left after deleting all", vcount)
		}
	})
}

func TestConditionalPut(t *testing.T) {
	errExists := errors.New("precondition failed")
	ifNoneMatch := func(cur *Version) error {
		if cur != nil && !cur.DeleteMarker {
			return errExists
		}
		return nil
	}
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "b", Enabled)
		const n = 16
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, refusals := 0, 0
		for i := range n {
			wg.Go(func() {
				body := fmt.Sprint(i)
				_, err := s.PutObject(context.Background(), "b", "k", PutInput{Body: strings.NewReader(body), Size: int64(len(body)), Check: ifNoneMatch})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case err == errExists: // returned as is
					refusals++
				default:
					t.Errorf("PutObject: %v", err)
				}
			})
		}
		wg.Wait()
		if wins != 1 || refusals != n-1 {
			t.Errorf("%d wins, %d refusals; want 1 and %d", wins, refusals, n-1)
		}
		if vs := versions(t, s, "b", "k"); len(vs) != 1 {
			t.Errorf("%d versions, want 1", len(vs))
		}
		if n := blobCount(t, s); n != 1 {
			t.Errorf("%d bodies stored, want 1 (the refused ones removed)", n)
		}
		// A check refusing a delete leaves everything.
		if _, err := s.DeleteObject("b", "k", "", func(*Version) error { return errExists }); err != errExists {
			t.Errorf("DeleteObject with a refusing check: %v", err)
		}
		if vs := versions(t, s, "b", "k"); len(vs) != 1 || vs[0].DeleteMarker {
			t.Errorf("refused delete changed the versions: %d", len(vs))
		}
	})
}

func TestMultipart(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "b", Enabled)
		meta := ObjectMeta{Headers: map[string]string{"Content-Type": "application/x"}, Metadata: map[string]string{"m": "1"}}
		u, err := s.CreateUpload("b", "obj", meta)
		if err != nil {
			t.Fatal(err)
		}
		if len(u.ID) != 32 || u.Initiated.IsZero() {
			t.Errorf("upload = %+v", u)
		}
		putPart := func(n int, body string) *Part {
			t.Helper()
			p, err := s.PutPart(t.Context(), "b", "obj", u.ID, n, strings.NewReader(body), int64(len(body)), Checksum{Algorithm: "CRC32", Value: fmt.Sprint(n)})
			if err != nil {
				t.Fatalf("PutPart(%d): %v", n, err)
			}
			if p.ETag != md5hex(body) || p.Number != n || p.Size != int64(len(body)) {
				t.Errorf("part = %+v", p)
			}
			return p
		}
		putPart(1, "first-")
		putPart(2, "xx") // replaced below
		putPart(2, "second-")
		putPart(3, "unlisted")
		putPart(4, "") // zero-byte last part
		putPart(5, "third")
		ps, err := s.Parts("b", "obj", u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var nums []int
		for _, p := range ps {
			nums = append(nums, p.Number)
		}
		if !slices.Equal(nums, []int{1, 2, 3, 4, 5}) || ps[1].ETag != md5hex("second-") {
			t.Errorf("parts = %v (part 2 %+v)", nums, ps[1])
		}
		if _, err := s.PutPart(t.Context(), "b", "obj", "nope", 1, strings.NewReader("x"), 1, Checksum{}); !errors.Is(err, ErrNoSuchUpload) {
			t.Errorf("PutPart to an absent upload: %v", err)
		}
		if _, err := s.Parts("b", "other", u.ID); !errors.Is(err, ErrNoSuchUpload) {
			t.Errorf("Parts with another key: %v", err)
		}
		bad := []struct {
			name  string
			parts []CompletedPart
		}{
			{"absent part", []CompletedPart{{1, md5hex("first-")}, {9, md5hex("x")}}},
			{"wrong ETag", []CompletedPart{{1, md5hex("first-")}, {2, md5hex("xx")}}},
		}
		for _, b := range bad {
			if _, err := s.CompleteUpload("b", "obj", u.ID, CompleteInput{Parts: b.parts}); !errors.Is(err, ErrInvalidPart) {
				t.Errorf("CompleteUpload with %s: %v", b.name, err)
			}
		}
		errRefused := errors.New("refused")
		listed := []CompletedPart{{1, md5hex("first-")}, {2, `"` + md5hex("second-") + `"`}, {5, md5hex("third")}, {4, md5hex("")}}
		if _, err := s.CompleteUpload("b", "obj", u.ID, CompleteInput{Parts: listed, Check: func(*Version) error { return errRefused }}); err != errRefused {
			t.Errorf("CompleteUpload with a refusing check: %v", err)
		}
		if ps, _ := s.Parts("b", "obj", u.ID); len(ps) != 5 {
			t.Errorf("a failed complete changed the parts: %d", len(ps))
		}
		v, err := s.CompleteUpload("b", "obj", u.ID, CompleteInput{Parts: listed, Checksum: Checksum{Algorithm: "CRC32", Value: "x-3", Type: "COMPOSITE"}})
		if err != nil {
			t.Fatal(err)
		}
		h := md5.New()
		for _, b := range []string{"first-", "second-", "third", ""} {
			sum := md5.Sum([]byte(b))
			h.Write(sum[:])
		}
		wantETag := hex.EncodeToString(h.Sum(nil)) + "-4"
		got, err := s.Object("b", "obj", "")
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []*Version{v, got} {
			if x.ETag != wantETag || x.Size != int64(len("first-second-third")) || x.Checksum.Type != "COMPOSITE" ||
				x.Headers["Content-Type"] != "application/x" || x.Metadata["m"] != "1" || len(x.Body) != 3 {
				t.Errorf("completed = %+v", x)
			}
			var pn []int
			for _, p := range x.Parts {
				pn = append(pn, p.Number)
			}
			if !slices.Equal(pn, []int{1, 2, 5, 4}) || x.Parts[2].Checksum.Value != "5" || x.Parts[3].Size != 0 {
				t.Errorf("completed parts = %+v", x.Parts)
			}
		}
		if b := read(t, s, got, 0, -1); b != "first-second-third" {
			t.Errorf("completed body %q", b)
		}
		if _, err := s.Upload("b", "obj", u.ID); !errors.Is(err, ErrNoSuchUpload) {
			t.Errorf("upload after complete: %v", err)
		}
		if n := blobCount(t, s); n != 3 {
			t.Errorf("%d bodies after complete, want 3 (unlisted and replaced parts removed)", n)
		}
		// Ranges across segment boundaries.
		body := "first-second-third"
		for off := int64(0); off <= int64(len(body)); off++ {
			for n := int64(0); off+n <= int64(len(body)); n++ {
				if got := read(t, s, v, off, n); got != body[off:off+n] {
					t.Fatalf("Open(%d, %d) = %q, want %q", off, n, got, body[off:off+n])
				}
			}
			if got := read(t, s, v, off, -1); got != body[off:] {
				t.Fatalf("Open(%d, -1) = %q", off, got)
			}
		}
		if _, err := s.Open(v, 3, int64(len(body))); err == nil {
			t.Error("Open past the end: no error")
		}
		// A completed version removed: Open fails with ErrNoSuchKey.
		if _, err := s.DeleteObject("b", "obj", v.VersionID, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Open(v, 0, -1); !errors.Is(err, ErrNoSuchKey) {
			t.Errorf("Open of a removed version: %v", err)
		}
		if n := blobCount(t, s); n != 0 {
			t.Errorf("%d bodies after removing the only version", n)
		}
	})
}

func TestUploads(t *testing.T) {
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			var tick int64
			now := func() time.Time { tick++; return time.Unix(1700000000+tick, 0) }
			s := e.open(t, Options{Now: now})
			mustBucket(t, s, "b", Unversioned)
			var ids []string
			for _, k := range []string{"z", "a", "a", "m/1"} {
				u, err := s.CreateUpload("b", k, ObjectMeta{})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, u.ID)
			}
			us, err := s.Uploads("b", "")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range us {
				got = append(got, u.Key+" "+u.ID)
			}
			want := []string{"a " + ids[1], "a " + ids[2], "m/1 " + ids[3], "z " + ids[0]}
			if !slices.Equal(got, want) {
				t.Errorf("Uploads = %q, want %q", got, want)
			}
			if us, _ := s.Uploads("b", "m/"); len(us) != 1 || us[0].ID != ids[3] {
				t.Errorf("Uploads(m/) = %v", us)
			}
			if _, err := s.PutPart(t.Context(), "b", "a", ids[1], 1, strings.NewReader("p"), 1, Checksum{}); err != nil {
				t.Fatal(err)
			}
			if err := s.AbortUpload("b", "a", ids[1]); err != nil {
				t.Fatal(err)
			}
			if err := s.AbortUpload("b", "a", ids[1]); !errors.Is(err, ErrNoSuchUpload) {
				t.Errorf("second abort: %v", err)
			}
			if n := blobCount(t, s); n != 0 {
				t.Errorf("%d bodies after abort", n)
			}
			if _, err := s.Upload("b", "z", ids[0]); err != nil {
				t.Errorf("Upload: %v", err)
			}
		})
	}
}

func TestConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "b", Enabled)
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := range 20 {
					key := fmt.Sprintf("k%d", i%5)
					body := strings.Repeat(fmt.Sprint(w), i+1)
					v, err := s.PutObject(context.Background(), "b", key, PutInput{Body: strings.NewReader(body), Size: int64(len(body))})
					if err != nil {
						t.Errorf("put: %v", err)
						return
					}
					r, err := s.Open(v, 0, -1)
					if err != nil {
						t.Errorf("open: %v", err)
						return
					}
					b, err := io.ReadAll(r)
					r.Close()
					if err != nil || string(b) != body {
						t.Errorf("read back %q, %v; want %q", b, err, body)
					}
					if _, err := s.Object("b", key, ""); err != nil {
						t.Errorf("Object: %v", err)
					}
				}
			})
		}
		wg.Wait()
		total := 0
		_ = s.ListVersions("b", "", "", "", func(*Version) bool { total++; return true })
		if total != 80 {
			t.Errorf("%d versions, want 80", total)
		}
	})
}

func TestFinish(t *testing.T) {
	refuse := &customErr{"trailer checksum mismatch"}
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "b", Unversioned)
		first := put(t, s, "b", "k", "kept")
		t.Run("object sets checksum", func(t *testing.T) {
			var saw Version
			v, err := s.PutObject(t.Context(), "b", "f", PutInput{
				Meta: ObjectMeta{Metadata: map[string]string{"a": "1"}}, Body: strings.NewReader("hello"), Size: 5,
				Finish: func(v *Version) error {
					saw = *v
					v.Checksum = Checksum{Algorithm: "CRC32", Value: "NhCmhg==", Type: "FULL_OBJECT"}
					v.Size, v.ETag = 99, "changed" // ignored
					return nil
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			if saw.Size != 5 || saw.ETag != md5hex("hello") || saw.Metadata["a"] != "1" {
				t.Errorf("Finish saw %+v, want size 5, the MD5 and the meta given", saw)
			}
			got, err := s.Object("b", "f", "")
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range []*Version{v, got} {
				if x.Checksum.Value != "NhCmhg==" || x.Size != 5 || x.ETag != md5hex("hello") || x.Metadata["a"] != "1" {
					t.Errorf("stored %+v: want Finish's checksum, size 5, the MD5 and the meta", x)
				}
			}
			if b := read(t, s, got, 0, -1); b != "hello" {
				t.Errorf("body %q", b)
			}
		})
		t.Run("object refused", func(t *testing.T) {
			before := blobCount(t, s)
			_, err := s.PutObject(t.Context(), "b", "k", PutInput{Body: strings.NewReader("new body"), Size: 8,
				Finish: func(*Version) error { return refuse }})
			if err != error(refuse) {
				t.Fatalf("PutObject = %v, want Finish's error as is", err)
			}
			cur, err := s.Object("b", "k", "")
			if err != nil || cur.ETag != first.ETag || read(t, s, cur, 0, -1) != "kept" {
				t.Errorf("after a refused put, current = %+v, %v", cur, err)
			}
			if n := blobCount(t, s); n != before {
				t.Errorf("%d bodies stored after a refused put, want %d", n, before)
			}
		})
		u, err := s.CreateUpload("b", "mp", ObjectMeta{})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("part sets checksum", func(t *testing.T) {
			var saw Part
			p, err := s.PutPartInput(t.Context(), "b", "mp", u.ID, 1, PartInput{
				Body: strings.NewReader("part"), Size: 4, Checksum: Checksum{Algorithm: "CRC32"},
				Finish: func(p *Part) error {
					saw = *p
					p.Checksum.Value = "trailer"
					p.Number, p.Size = 7, 1 // ignored
					return nil
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			if saw.Number != 1 || saw.Size != 4 || saw.ETag != md5hex("part") || saw.Checksum.Algorithm != "CRC32" {
				t.Errorf("Finish saw %+v", saw)
			}
			ps, err := s.Parts("b", "mp", u.ID)
			if err != nil || len(ps) != 1 {
				t.Fatalf("Parts = %v, %v", ps, err)
			}
			for _, x := range []*Part{p, ps[0]} {
				if x.Number != 1 || x.Size != 4 || x.Checksum != (Checksum{Algorithm: "CRC32", Value: "trailer"}) {
					t.Errorf("stored part %+v: want number 1, size 4, Finish's checksum", x)
				}
			}
		})
		t.Run("part refused", func(t *testing.T) {
			before := blobCount(t, s)
			_, err := s.PutPartInput(t.Context(), "b", "mp", u.ID, 2, PartInput{Body: strings.NewReader("two"), Size: 3,
				Finish: func(*Part) error { return refuse }})
			if err != error(refuse) {
				t.Fatalf("PutPartInput = %v, want Finish's error as is", err)
			}
			if ps, _ := s.Parts("b", "mp", u.ID); len(ps) != 1 {
				t.Errorf("%d parts after a refused part, want 1", len(ps))
			}
			if n := blobCount(t, s); n != before {
				t.Errorf("%d bodies stored after a refused part, want %d", n, before)
			}
		})
	})
}

// TestInlineBodies writes bodies around the inline limit, of known and
// unknown size, as objects and as parts, and reads them back whole and in
// ranges; replacing and deleting them removes their bodies of either kind.
func TestInlineBodies(t *testing.T) {
	body := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + i%26)
		}
		return string(b)
	}
	cases := []struct {
		name       string
		n          int
		size       int64 // -1: unknown
		wantInline bool
	}{
		{"1 byte", 1, 1, true},
		{"1 KiB", 1 << 10, 1 << 10, true},
		{"at the limit", inlineMax, inlineMax, true},
		{"one over the limit", inlineMax + 1, inlineMax + 1, false},
		{"unknown size, 1 KiB", 1 << 10, -1, true},
		{"unknown size, at the limit", inlineMax, -1, true},
		{"unknown size, one over the limit", inlineMax + 1, -1, false},
		{"unknown size, several buffers", 3*copyBufSize + 7, -1, false},
	}
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "b", Unversioned)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				want := body(c.n)
				files, inl := fileCount(t, s), inlineCount(t, s)
				v, err := s.PutObject(t.Context(), "b", c.name, PutInput{Body: iotest.HalfReader(strings.NewReader(want)), Size: c.size})
				if err != nil {
					t.Fatal(err)
				}
				if len(v.Body) != 1 || v.Body[0].Inline != c.wantInline || v.Size != int64(c.n) || v.ETag != md5hex(want) {
					t.Fatalf("stored %d bytes ETag %s as %+v; want %d bytes, inline %v", v.Size, v.ETag, v.Body, c.n, c.wantInline)
				}
				dFiles, dInline := 1, 0
				if c.wantInline {
					dFiles, dInline = 0, 1
				}
				if f, i := fileCount(t, s)-files, inlineCount(t, s)-inl; f != dFiles || i != dInline {
					t.Errorf("new blobs %d, new inline bodies %d; want %d, %d", f, i, dFiles, dInline)
				}
				got, err := s.Object("b", c.name, "")
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range [][2]int64{{0, -1}, {0, 1}, {int64(c.n) - 1, 1}, {int64(c.n) / 3, int64(c.n) / 2}, {int64(c.n), 0}} {
					end := int64(c.n)
					if r[1] >= 0 {
						end = r[0] + r[1]
					}
					if b := read(t, s, got, r[0], r[1]); b != want[r[0]:end] {
						t.Errorf("read(%d, %d): %d bytes differ from the body's", r[0], r[1], len(b))
					}
				}
				// Replacing the null version removes its body.
				put(t, s, "b", c.name, "x")
				if f, i := fileCount(t, s)-files, inlineCount(t, s)-inl; f != 0 || i != 1 {
					t.Errorf("after replacing: new blobs %d, new inline bodies %d; want 0, 1", f, i)
				}
				if _, err := s.DeleteObject("b", c.name, "", nil); err != nil {
					t.Fatal(err)
				}
				if f, i := fileCount(t, s)-files, inlineCount(t, s)-inl; f != 0 || i != 0 {
					t.Errorf("after deleting: new blobs %d, new inline bodies %d; want none", f, i)
				}
				if _, err := s.Open(got, 0, -1); !errors.Is(err, ErrNoSuchKey) {
					t.Errorf("Open of a deleted version: %v, want ErrNoSuchKey", err)
				}
			})
		}
		t.Run("multipart across both kinds", func(t *testing.T) {
			files, inl := fileCount(t, s), inlineCount(t, s)
			bodies := []string{body(inlineMax + 5), body(10), body(3), body(2*inlineMax + 1)}
			u, err := s.CreateUpload("b", "mp", ObjectMeta{})
			if err != nil {
				t.Fatal(err)
			}
			var parts []CompletedPart
			for i, b := range bodies {
				p, err := s.PutPartInput(t.Context(), "b", "mp", u.ID, i+1, PartInput{Body: strings.NewReader(b), Size: int64(len(b))})
				if err != nil {
					t.Fatal(err)
				}
				if p.Body[0].Inline != (len(b) <= inlineMax) {
					t.Errorf("part %d of %d bytes: inline %v", i+1, len(b), p.Body[0].Inline)
				}
				if i != 2 { // part 3 is left out
					parts = append(parts, CompletedPart{i + 1, p.ETag})
				}
			}
			// Replacing part 2 removes its first body.
			if _, err := s.PutPart(t.Context(), "b", "mp", u.ID, 2, strings.NewReader(bodies[1]), int64(len(bodies[1])), Checksum{}); err != nil {
				t.Fatal(err)
			}
			if f, i := fileCount(t, s)-files, inlineCount(t, s)-inl; f != 2 || i != 2 {
				t.Errorf("with 4 parts: new blobs %d, new inline bodies %d; want 2, 2", f, i)
			}
			v, err := s.CompleteUpload("b", "mp", u.ID, CompleteInput{Parts: parts})
			if err != nil {
				t.Fatal(err)
			}
			if f, i := fileCount(t, s)-files, inlineCount(t, s)-inl; f != 2 || i != 1 {
				t.Errorf("completed without part 3: new blobs %d, new inline bodies %d; want 2, 1", f, i)
			}
			want := bodies[0] + bodies[1] + bodies[3]
			if got := read(t, s, v, 0, -1); got != want {
				t.Errorf("completed body: %d bytes differ from the parts'", len(got))
			}
			// A range across all three segments.
			off := int64(len(bodies[0]) - 2)
			if got := read(t, s, v, off, 15); got != want[off:off+15] {
				t.Errorf("range across segments = %q, want %q", got, want[off:off+15])
			}
			if _, err := s.DeleteObject("b", "mp", "", nil); err != nil {
				t.Fatal(err)
			}
			if f, i := fileCount(t, s)-files, inlineCount(t, s)-inl; f != 0 || i != 0 {
				t.Errorf("after deleting: new blobs %d, new inline bodies %d; want none", f, i)
			}
		})
		t.Run("abort removes inline parts", func(t *testing.T) {
			inl := inlineCount(t, s)
			u, _ := s.CreateUpload("b", "ab", ObjectMeta{})
			if _, err := s.PutPart(t.Context(), "b", "ab", u.ID, 1, strings.NewReader("small"), 5, Checksum{}); err != nil {
				t.Fatal(err)
			}
			if err := s.AbortUpload("b", "ab", u.ID); err != nil {
				t.Fatal(err)
			}
			if i := inlineCount(t, s) - inl; i != 0 {
				t.Errorf("%d inline bodies left after abort", i)
			}
		})
	})
}

// ap is an access point of account 111122223333 for the suite.
func ap(name, bucket string) AccessPoint {
	return AccessPoint{
		Name: name, Account: "111122223333", Region: "us-east-1", Bucket: bucket, BucketAccount: "111122223333",
		Alias: name + "-abcdefghijklmnopqrstuvwxyz0123-s3alias", BlockPublicAcls: true, IgnorePublicAcls: true,
		BlockPublicPolicy: true, RestrictPublicBuckets: true, Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func apNames(aps []*AccessPoint) []string {
	var out []string
	for _, a := range aps {
		out = append(out, a.Name)
	}
	return out
}

func TestAccessPoints(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "b1", Unversioned)
		mustBucket(t, s, "b2", Unversioned)
		vpc := ap("vpc-ap", "b2")
		vpc.VPCID = "vpc-0123456789abcdef0"
		vpc.BlockPublicAcls = false
		for _, a := range []AccessPoint{ap("c", "b1"), ap("a", "b1"), vpc, ap("b", "b2"), ap("a-1", "b1")} {
			if err := s.CreateAccessPoint(a); err != nil {
				t.Fatalf("CreateAccessPoint(%s): %v", a.Name, err)
			}
		}
		other := ap("a", "b1")
		other.Account, other.Alias = "999988887777", "a-other-s3alias"
		if err := s.CreateAccessPoint(other); err != nil {
			t.Fatalf("CreateAccessPoint of another account's a: %v", err)
		}

		createErrs := []struct {
			name string
			ap   AccessPoint
			want error
		}{
			{"same name", func() AccessPoint { a := ap("a", "b2"); a.Alias = "fresh-s3alias"; return a }(), ErrAccessPointExists},
			{"same alias", func() AccessPoint { a := ap("z", "b1"); a.Alias = ap("a", "b1").Alias; return a }(), ErrAccessPointExists},
			{"no bucket", ap("nb", "missing"), ErrNoSuchBucket},
			{"empty name", ap("", "b1"), nil},
			{"zero byte", ap("x\x00y", "b1"), nil},
		}
		for _, c := range createErrs {
			t.Run("create "+c.name, func(t *testing.T) {
				err := s.CreateAccessPoint(c.ap)
				if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
					t.Errorf("CreateAccessPoint: %v, want %v", err, c.want)
				}
			})
		}

		t.Run("get", func(t *testing.T) {
			got, err := s.AccessPoint("111122223333", "vpc-ap")
			if err != nil {
				t.Fatal(err)
			}
			if *got != vpc {
				t.Errorf("AccessPoint = %+v, want %+v", *got, vpc)
			}
			if _, err := s.AccessPoint("111122223333", "nope"); !errors.Is(err, ErrNoSuchAccessPoint) {
				t.Errorf("AccessPoint(nope): %v", err)
			}
			if _, err := s.AccessPoint("000000000000", "vpc-ap"); !errors.Is(err, ErrNoSuchAccessPoint) {
				t.Errorf("AccessPoint of another account: %v", err)
			}
			byAlias, err := s.AccessPointByAlias(vpc.Alias)
			if err != nil || byAlias.Name != "vpc-ap" || byAlias.Account != "111122223333" {
				t.Errorf("AccessPointByAlias = %+v, %v", byAlias, err)
			}
			if _, err := s.AccessPointByAlias("nope-s3alias"); !errors.Is(err, ErrNoSuchAccessPoint) {
				t.Errorf("AccessPointByAlias(nope): %v", err)
			}
		})

		lists := []struct {
			name          string
			bucket, after string
			max           int
			want          []string
			wantNext      string
			account       string
		}{
			{"all", "", "", 0, []string{"a", "a-1", "b", "c", "vpc-ap"}, "", ""},
			{"first page", "", "", 2, []string{"a", "a-1"}, "a-1", ""},
			{"second page", "", "a-1", 2, []string{"b", "c"}, "c", ""},
			{"last page", "", "c", 2, []string{"vpc-ap"}, "", ""},
			{"exact page", "", "b", 2, []string{"c", "vpc-ap"}, "", ""},
			{"bucket", "b2", "", 0, []string{"b", "vpc-ap"}, "", ""},
			{"bucket paged", "b1", "", 1, []string{"a"}, "a", ""},
			{"bucket paged on", "b1", "a", 1, []string{"a-1"}, "a-1", ""},
			{"bucket last", "b1", "a-1", 1, []string{"c"}, "", ""},
			{"after a missing name", "", "bb", 0, []string{"c", "vpc-ap"}, "", ""},
			{"no such bucket", "zz", "", 0, nil, "", ""},
			{"other account", "", "", 0, []string{"a"}, "", "999988887777"},
			{"no access points", "", "", 0, nil, "", "000000000000"},
		}
		for _, c := range lists {
			t.Run("list "+c.name, func(t *testing.T) {
				account := c.account
				if account == "" {
					account = "111122223333"
				}
				got, next, err := s.AccessPoints(account, c.bucket, c.after, c.max)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(apNames(got), c.want) || next != c.wantNext {
					t.Errorf("AccessPoints = %q next %q, want %q next %q", apNames(got), next, c.want, c.wantNext)
				}
			})
		}

		t.Run("policy", func(t *testing.T) {
			const doc = `{"Version":"2012-10-17","Statement":[]}`
			if err := s.SetAccessPointPolicy("111122223333", "a", doc); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.AccessPoint("111122223333", "a"); got.Policy != doc {
				t.Errorf("Policy = %q, want %q", got.Policy, doc)
			}
			if got, _ := s.AccessPoint("999988887777", "a"); got.Policy != "" {
				t.Errorf("another account's a got the policy: %q", got.Policy)
			}
			if err := s.SetAccessPointPolicy("111122223333", "a", ""); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.AccessPoint("111122223333", "a"); got.Policy != "" {
				t.Errorf("Policy after removal = %q", got.Policy)
			}
			if err := s.SetAccessPointPolicy("111122223333", "nope", doc); !errors.Is(err, ErrNoSuchAccessPoint) {
				t.Errorf("SetAccessPointPolicy(nope): %v", err)
			}
		})

		t.Run("delete bucket keeps its access points", func(t *testing.T) {
			mustBucket(t, s, "b3", Unversioned)
			if err := s.CreateAccessPoint(ap("on-b3", "b3")); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteBucket("b3"); err != nil {
				t.Fatalf("DeleteBucket of a bucket with an access point: %v", err)
			}
			if got, err := s.AccessPoint("111122223333", "on-b3"); err != nil || got.Bucket != "b3" {
				t.Errorf("dangling access point = %+v, %v", got, err)
			}
		})

		t.Run("delete", func(t *testing.T) {
			if err := s.DeleteAccessPoint("111122223333", "a"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AccessPoint("111122223333", "a"); !errors.Is(err, ErrNoSuchAccessPoint) {
				t.Errorf("AccessPoint after delete: %v", err)
			}
			if _, err := s.AccessPointByAlias(ap("a", "b1").Alias); !errors.Is(err, ErrNoSuchAccessPoint) {
				t.Errorf("AccessPointByAlias after delete: %v", err)
			}
			if err := s.DeleteAccessPoint("111122223333", "a"); !errors.Is(err, ErrNoSuchAccessPoint) {
				t.Errorf("second DeleteAccessPoint: %v", err)
			}
			if _, err := s.AccessPoint("999988887777", "a"); err != nil {
				t.Errorf("another account's a went too: %v", err)
			}
			// The name and alias are free again.
			if err := s.CreateAccessPoint(ap("a", "b2")); err != nil {
				t.Errorf("CreateAccessPoint after delete: %v", err)
			}
		})
	})
}
