package store

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestVersionMemoForgetsRemoved: the memo of decoded versions holds the
// live versions only: an overwritten null version and a deleted version
// leave it, so it neither grows with every write nor starts over.
func TestVersionMemoForgetsRemoved(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "u", Unversioned)
		mustBucket(t, s, "v", Enabled)
		const keys = 5
		for round := range 4 {
			for k := range keys {
				put(t, s, "u", strconv.Itoa(k), "round "+strconv.Itoa(round))
			}
		}
		if got := s.versionMemo.len(); got != keys {
			t.Errorf("after overwriting %d keys 4 times the memo holds %d entries, want %d", keys, got, keys)
		}
		v1 := put(t, s, "v", "k", "one")
		put(t, s, "v", "k", "two")
		if got := s.versionMemo.len(); got != keys+2 {
			t.Errorf("with two versions of a versioned key the memo holds %d entries, want %d", got, keys+2)
		}
		if _, err := s.DeleteObject("v", "k", v1.VersionID, nil); err != nil {
			t.Fatal(err)
		}
		if got := s.versionMemo.len(); got != keys+1 {
			t.Errorf("after deleting a version the memo holds %d entries, want %d", got, keys+1)
		}
		if got := read(t, s, mustObject(t, s, "v", "k"), 0, -1); got != "two" {
			t.Errorf("current version reads %q, want %q", got, "two")
		}
	})
}

func mustObject(t testing.TB, s *Store, bucket, key string) *Version {
	t.Helper()
	v, err := s.Object(bucket, key, "")
	if err != nil {
		t.Fatalf("Object(%s/%s): %v", bucket, key, err)
	}
	return v
}

// TestOpenInlineRuns: an inline body reads the same through Read and
// WriteTo, whole or in part, from either engine; the memory engine hands
// out its stored bytes (io.WriterTo); a body opened stays the version's
// bytes after the key is overwritten, and a version removed before Open is
// ErrNoSuchKey.
func TestOpenInlineRuns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "b", Unversioned)
		const body = "0123456789abcdef"
		old := put(t, s, "b", "k", body)
		cases := []struct {
			name        string
			off, length int64
			want        string
		}{
			{name: "whole", off: 0, length: -1, want: body},
			{name: "head", off: 0, length: 4, want: "0123"},
			{name: "middle", off: 5, length: 3, want: "567"},
			{name: "tail", off: 10, length: -1, want: "abcdef"},
			{name: "empty run at the end", off: 16, length: -1, want: ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				for _, how := range []string{"Read", "WriteTo"} {
					r, err := s.Open(old, c.off, c.length)
					if err != nil {
						t.Fatalf("Open(%d, %d): %v", c.off, c.length, err)
					}
					var got bytes.Buffer
					if wt, ok := r.(io.WriterTo); ok && how == "WriteTo" {
						_, err = wt.WriteTo(&got)
					} else {
						_, err = io.Copy(&got, struct{ io.Reader }{r})
					}
					if err != nil {
						t.Fatalf("%s: %v", how, err)
					}
					if err := r.Close(); err != nil {
						t.Fatal(err)
					}
					if got.String() != c.want {
						t.Errorf("%s of (%d, %d) = %q, want %q", how, c.off, c.length, got.String(), c.want)
					}
				}
			})
		}
		r, err := s.Open(old, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if _, ok := r.(io.WriterTo); ok != (s.Kind() == "memory") {
			t.Errorf("%s store: body is an io.WriterTo: %v", s.Kind(), ok)
		}
		put(t, s, "b", "k", strings.Repeat("z", len(body))) // replaces the null version and its body
		// Opened before the overwrite: still the old version's bytes.
		if got, err := io.ReadAll(r); err != nil || string(got) != body {
			t.Errorf("body opened before an overwrite reads %q, %v; want %q", got, err, body)
		}
		if _, err := s.Open(old, 0, -1); !errors.Is(err, ErrNoSuchKey) {
			t.Errorf("Open of an overwritten version: %v, want ErrNoSuchKey", err)
		}
		if got := read(t, s, mustObject(t, s, "b", "k"), 0, -1); got != strings.Repeat("z", len(body)) {
			t.Errorf("new version reads %q", got)
		}
	})
}

// TestViewObject: ViewObject answers what Object does (the version, its
// IsLatest, the errors), and after a write the new version, never a
// remembered older one.
func TestViewObject(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "v", Enabled)
		in := PutInput{Meta: ObjectMeta{Metadata: map[string]string{"a": "1"}, Headers: map[string]string{"Content-Type": "text/plain"}, Tags: []Tag{{"t", "v"}}},
			Body: strings.NewReader("one"), Size: 3}
		v1, err := s.PutObject(t.Context(), "v", "k", in)
		if err != nil {
			t.Fatal(err)
		}
		v2 := put(t, s, "v", "k", "two")
		cases := []struct {
			name, bucket, key, versionID string
			wantErr                      error
		}{
			{name: "current", bucket: "v", key: "k"},
			{name: "older version", bucket: "v", key: "k", versionID: v1.VersionID},
			{name: "current by ID", bucket: "v", key: "k", versionID: v2.VersionID},
			{name: "no such key", bucket: "v", key: "nope", wantErr: ErrNoSuchKey},
			{name: "no such version", bucket: "v", key: "k", versionID: "x", wantErr: ErrNoSuchVersion},
			{name: "no such bucket", bucket: "nope", key: "k", wantErr: ErrNoSuchBucket},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				want, werr := s.Object(c.bucket, c.key, c.versionID)
				got, gerr := s.ViewObject(c.bucket, c.key, c.versionID)
				if c.wantErr != nil {
					if !errors.Is(gerr, c.wantErr) || !errors.Is(werr, c.wantErr) || gerr.Error() != werr.Error() {
						t.Fatalf("ViewObject error %v, Object error %v, want %v", gerr, werr, c.wantErr)
					}
					return
				}
				if gerr != nil || werr != nil {
					t.Fatalf("ViewObject: %v, Object: %v", gerr, werr)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("ViewObject = %+v\nObject     = %+v", got, want)
				}
			})
		}
		got, err := s.ViewObject("v", "k", "")
		if err != nil {
			t.Fatal(err)
		}
		got.ETag, got.IsLatest = "changed", false // the struct is the caller's
		v3 := put(t, s, "v", "k", "three")
		now, err := s.ViewObject("v", "k", "")
		if err != nil {
			t.Fatal(err)
		}
		if now.VersionID != v3.VersionID || now.ETag != v3.ETag || !now.IsLatest {
			t.Errorf("after a write ViewObject = %s %s latest %v, want %s %s latest", now.VersionID, now.ETag, now.IsLatest, v3.VersionID, v3.ETag)
		}
	})
}

// TestPutMissingBucketAfterCached: PutObject's early check of the bucket
// answers from the cache of decoded buckets; a bucket read (and cached)
// and then deleted is ErrNoSuchBucket, whatever the engine.
func TestPutMissingBucketAfterCached(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "b", Unversioned)
		if _, err := s.ViewBucket("b"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteBucket("b"); err != nil {
			t.Fatal(err)
		}
		_, err := s.PutObject(t.Context(), "b", "k", PutInput{Body: strings.NewReader("x"), Size: 1})
		if !errors.Is(err, ErrNoSuchBucket) {
			t.Errorf("PutObject to a deleted bucket: %v, want ErrNoSuchBucket", err)
		}
	})
}

// TestPutMemoSharesMeta: the memo entry a PUT leaves shares the version's
// maps (memoVersion copies only the struct); each read sees the metadata
// of the PUT that wrote the version, and a later PUT of the key, with new
// maps, changes neither the earlier version returned nor what it read.
func TestPutMemoSharesMeta(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "b", Unversioned)
		putMeta := func(color string) *Version {
			t.Helper()
			v, err := s.PutObject(t.Context(), "b", "k", PutInput{Body: strings.NewReader(color), Size: int64(len(color)),
				Meta: ObjectMeta{Metadata: map[string]string{"color": color}, Headers: map[string]string{"Content-Type": "text/" + color}}})
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		first := putMeta("red")
		seen, err := s.ViewObject("b", "k", "")
		if err != nil {
			t.Fatal(err)
		}
		putMeta("blue")
		now, err := s.ViewObject("b", "k", "")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name       string
			v          *Version
			color, typ string
		}{{"first returned", first, "red", "text/red"}, {"first read", seen, "red", "text/red"}, {"second read", now, "blue", "text/blue"}} {
			if c.v.Metadata["color"] != c.color || c.v.Headers["Content-Type"] != c.typ {
				t.Errorf("%s: metadata %v, headers %v; want color %s, %s", c.name, c.v.Metadata, c.v.Headers, c.color, c.typ)
			}
		}
	})
}
