package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"testing"
	"time"
)

// versionCases are version records covering each field, empty and set,
// and strings that need encoding/json's escapes.
func versionCases() map[string]*Version {
	mtime := time.Date(2026, 11, 30, 2, 3, 4, 500, time.UTC)
	return map[string]*Version{
		"zero":   {},
		"inline": {VersionID: "null", LastModified: mtime, Size: 1024, ETag: "0123abcd", Body: []Segment{{Blob: "b1", Size: 1024, Inline: true}}},
		"marker": {VersionID: "v1", DeleteMarker: true, LastModified: mtime.In(time.FixedZone("x", 5*3600+1800))},
		"full": {VersionID: "v2", LastModified: mtime, Size: 7, ETag: "e-2",
			ObjectMeta: ObjectMeta{
				Metadata: map[string]string{"b": "2", "a": "1", "ü<>&": "\u2028\x00\"\\\t\n"},
				Headers:  map[string]string{"Content-Type": "text/plain", "Cache-Control": "no-cache"},
				Checksum: Checksum{Algorithm: "CRC32", Value: "AAAAAA==", Type: "FULL_OBJECT"},
				Tags:     []Tag{{Key: "k", Value: "v"}, {Key: "\xff", Value: ""}},
				ACL:      []byte("<acl/>"), StorageClass: "STANDARD_IA", Owner: "123456789012",
				Extra: map[string][]byte{"retention": []byte(`{"mode":"GOVERNANCE"}`), "hold": nil, "empty": {}},
			},
			Parts: []PartInfo{{Number: 1, Size: 5, ETag: "p1", Checksum: Checksum{Value: "x"}}, {Number: 2, Size: 2, ETag: "p2"}},
			Body:  []Segment{{Blob: "blob-1", Size: 5}, {Blob: "blob-2", Size: 2}}},
		"only checksum type": {ObjectMeta: ObjectMeta{Checksum: Checksum{Type: "COMPOSITE"}}},
	}
}

func TestEncodeVersionMatchesJSON(t *testing.T) {
	for name, v := range versionCases() {
		t.Run(name, func(t *testing.T) {
			checkVersionEncoding(t, v)
		})
	}
	t.Run("year out of range", func(t *testing.T) {
		v := &Version{LastModified: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
		if _, err := encodeVersion(v); err == nil {
			t.Fatal("encodeVersion accepted a time encoding/json refuses")
		}
	})
}

func checkVersionEncoding(t *testing.T, v *Version) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	got, err := encodeVersion(v)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("error %v, encoding/json's %v", err, wantErr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("encodeVersion:\n got %s\nwant %s", got, want)
	}
}

// FuzzEncodeVersion builds version records from the fuzzer's bytes and
// requires encodeVersion's output to equal json.Marshal's byte for byte.
func FuzzEncodeVersion(f *testing.F) {
	f.Add([]byte("id\x00etag\x00k\x00v\x00blob"), int64(1024), int64(1700000000), uint8(0xff))
	f.Add([]byte("<\u2028>\x00&\xff\x00\"\\"), int64(-1), int64(-62135596800), uint8(0x0f))
	f.Add([]byte{}, int64(0), int64(253402300800), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, size, unix int64, flags uint8) {
		strs := bytes.Split(data, []byte{0})
		s := func(i int) string { return string(strs[i%len(strs)]) }
		bit := func(n uint) bool { return flags&(1<<n) != 0 }
		v := &Version{VersionID: s(0), DeleteMarker: bit(0), Size: size, ETag: s(1),
			LastModified: time.Unix(unix, int64(binary.LittleEndian.Uint16(append(data, 0, 0)))).In(time.FixedZone("z", int(size%100000)))}
		if bit(1) {
			v.Metadata = map[string]string{s(2): s(3), s(4): s(5)}
			v.Headers = map[string]string{s(3): s(2)}
		}
		if bit(2) {
			v.Checksum = Checksum{Algorithm: s(6), Value: s(7), Type: s(8)}
			v.Tags = []Tag{{Key: s(2), Value: s(9)}}
		}
		if bit(3) {
			v.ACL, v.StorageClass, v.Owner = []byte(s(4)), s(5), s(6)
			v.Extra = map[string][]byte{s(7): []byte(s(8)), s(9): nil}
		}
		if bit(4) {
			v.Parts = []PartInfo{{Number: int(size), Size: unix, ETag: s(3), Checksum: Checksum{Value: s(1)}}}
		}
		if bit(5) {
			v.Body = []Segment{{Blob: s(0), Size: size, Inline: bit(6)}, {Blob: s(1)}}
		}
		checkVersionEncoding(t, v)
	})
}

// BenchmarkEncodeVersion compares the appender with encoding/json on the
// record of a small inline PUT.
func BenchmarkEncodeVersion(b *testing.B) {
	v := versionCases()["inline"]
	v.Headers = map[string]string{"Content-Type": "application/octet-stream"}
	v.Owner = "123456789012"
	b.Run("appender", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := encodeVersion(v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
