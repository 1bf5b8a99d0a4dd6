package store

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestRecordMemo(t *testing.T) {
	calls := 0
	dec := func(b []byte) (*Bucket, error) {
		calls++
		if string(b) == "bad" {
			return nil, errors.New("bad record")
		}
		return &Bucket{Name: string(b)}, nil
	}
	var m recordMemo[Bucket]
	steps := []struct {
		name      string
		raw       string
		wantName  string
		wantErr   bool
		wantCalls int
	}{
		{name: "first read decodes", raw: "a", wantName: "a", wantCalls: 1},
		{name: "same bytes are remembered", raw: "a", wantName: "a", wantCalls: 1},
		{name: "changed bytes decode again", raw: "b", wantName: "b", wantCalls: 2},
		{name: "a failure is returned", raw: "bad", wantErr: true, wantCalls: 3},
		{name: "and not remembered", raw: "bad", wantErr: true, wantCalls: 4},
		{name: "the old bytes decode again", raw: "a", wantName: "a", wantCalls: 5},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			raw := []byte(st.raw)
			b, err := m.decode([]byte("key"), raw, dec)
			raw[0] = 'X' // the memo keeps its own copy of the bytes
			if (err != nil) != st.wantErr {
				t.Fatalf("decode(%q) error = %v, want error %v", st.raw, err, st.wantErr)
			}
			if err == nil && b.Name != st.wantName {
				t.Errorf("decode(%q) = %q, want %q", st.raw, b.Name, st.wantName)
			}
			if calls != st.wantCalls {
				t.Errorf("decoder called %d times, want %d", calls, st.wantCalls)
			}
		})
	}
}

// TestMemoisedRecordsAreCopies: changing what a lookup returned changes
// neither the store nor the next lookup's result.
func TestMemoisedRecordsAreCopies(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		mustBucket(t, s, "b", Unversioned)
		in := PutInput{Meta: ObjectMeta{Metadata: map[string]string{"a": "1"}, Tags: []Tag{{"t", "v"}}}, Size: 0}
		if _, err := s.PutObject(t.Context(), "b", "k", in); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			v, err := s.Object("b", "k", "")
			if err != nil {
				t.Fatal(err)
			}
			if v.Metadata["a"] != "1" || v.Tags[0].Value != "v" {
				t.Fatalf("lookup %d: metadata %v, tags %v: want a=1, t=v", i, v.Metadata, v.Tags)
			}
			v.Metadata["a"] = "changed"
			v.Tags[0].Value = "changed"
		}
		b, err := s.UpdateBucket("b", func(b *Bucket) error { b.Policy = []byte("p"); return nil })
		if err != nil {
			t.Fatal(err)
		}
		b.Policy[0] = 'X'
		if got, err := s.Bucket("b"); err != nil || string(got.Policy) != "p" {
			t.Fatalf("Bucket: policy %q, %v; want %q", got.Policy, err, "p")
		}
	})
}

// TestRememberedVersionDecodesTheSame: what a write remembers equals what
// decoding the record it wrote gives, or is nothing.
func TestRememberedVersionDecodesTheSame(t *testing.T) {
	mtime := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	cases := []struct {
		name     string
		v        Version
		remember bool
	}{
		{"plain", Version{VersionID: "null", Size: 3, ETag: "e", LastModified: mtime,
			Body: []Segment{{Blob: newBlobID(), Size: 3, Inline: true}}}, true},
		{"empty collections", Version{VersionID: "v", LastModified: mtime, ObjectMeta: ObjectMeta{Metadata: map[string]string{},
			Headers: map[string]string{}, Tags: []Tag{}, ACL: []byte{}, Extra: map[string][]byte{}}, Parts: []PartInfo{}, Body: []Segment{}}, true},
		{"everything set", Version{VersionID: "v", LastModified: mtime, Size: 1, ETag: "e-2", ObjectMeta: ObjectMeta{
			Metadata: map[string]string{"a": "<&>"}, Headers: map[string]string{"Content-Type": "text/plain"},
			Checksum: Checksum{Algorithm: "CRC32", Value: "AAAAAA==", Type: "FULL_OBJECT"}, Tags: []Tag{{"k", "v"}},
			ACL: []byte("acl"), StorageClass: "STANDARD", Owner: "123", Extra: map[string][]byte{"x": {}, "y": nil, "z": {0xff}}},
			Parts: []PartInfo{{Number: 1, Size: 1, ETag: "p"}}, Body: []Segment{{Blob: newBlobID(), Size: 1}}}, true},
		{"not UTF-8", Version{VersionID: "v", LastModified: mtime, ObjectMeta: ObjectMeta{Metadata: map[string]string{"a": "\xff"}}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, err := encode(&c.v)
			if err != nil {
				t.Fatal(err)
			}
			decoded, err := decodeVersion(raw)
			if err != nil {
				t.Fatal(err)
			}
			got := memoVersion(&c.v)
			if (got != nil) != c.remember {
				t.Fatalf("memoVersion remembered %v, want %v", got != nil, c.remember)
			}
			if got != nil && !reflect.DeepEqual(got, decoded) {
				t.Errorf("remembered %+v\ndecoded    %+v", got, decoded)
			}
		})
	}
}
