package s3api

import (
	"fmt"
	"slices"
	"sort"
	"testing"
)

// sortedSource is an ordered key source like the store's iterators; it
// counts the keys it hands out.
type sortedSource struct {
	keys    []string
	visited int
}

func (s *sortedSource) from(after string, fn func(string) bool) error {
	for _, k := range s.keys[sort.SearchStrings(s.keys, after):] {
		if k <= after {
			continue
		}
		s.visited++
		if !fn(k) {
			break
		}
	}
	return nil
}

func pageOf(src *sortedSource, prefix, delimiter, marker string, max int) ([]string, bool) {
	rows, truncated, err := page(func(fn func(string) bool) error { return src.from(marker, fn) }, src.from,
		func(k string) string { return k }, prefix, delimiter, marker, max)
	if err != nil {
		panic(err)
	}
	var out []string
	for _, r := range rows {
		if r.prefix != "" {
			out = append(out, "P "+r.prefix)
		} else {
			out = append(out, r.item)
		}
	}
	return out, truncated
}

func TestPage(t *testing.T) {
	keys := []string{"a", "a-b", "a/b", "a/c/d", "a0", "a_b", "b/", "b//x", "c--d--e", "c--f", "top"}
	for _, tc := range []struct {
		name, prefix, delimiter, marker string
		max                             int
		want                            []string
		truncated                       bool
	}{
		{name: "all", max: 1000, want: keys},
		{name: "slash", delimiter: "/", max: 1000, want: []string{"a", "a-b", "P a/", "a0", "a_b", "P b/", "c--d--e", "c--f", "top"}},
		{name: "truncated on a prefix", delimiter: "/", max: 3, want: []string{"a", "a-b", "P a/"}, truncated: true},
		{name: "exactly the last row", delimiter: "/", prefix: "a/", max: 2, want: []string{"a/b", "P a/c/"}},
		{name: "marker inside a prefix", delimiter: "/", marker: "a/b", max: 2, want: []string{"a0", "a_b"}, truncated: true},
		{name: "marker is a prefix", delimiter: "/", marker: "a/", max: 1000, want: []string{"a0", "a_b", "P b/", "c--d--e", "c--f", "top"}},
		{name: "max 0", max: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in []string
			for _, k := range keys {
				if len(k) >= len(tc.prefix) && k[:len(tc.prefix)] == tc.prefix {
					in = append(in, k)
				}
			}
			got, truncated := pageOf(&sortedSource{keys: in}, tc.prefix, tc.delimiter, tc.marker, tc.max)
			if !slices.Equal(got, tc.want) || truncated != tc.truncated {
				t.Errorf("rows %q truncated %v, want %q %v", got, truncated, tc.want, tc.truncated)
			}
		})
	}
}

// A common prefix costs one visit: the iteration starts again past it
// instead of reading every key under it.
func TestPageSkipsCommonPrefixes(t *testing.T) {
	var keys []string
	for i := range 10000 {
		keys = append(keys, fmt.Sprintf("big/%05d", i))
	}
	keys = append(keys, "z")
	src := &sortedSource{keys: keys}
	got, truncated := pageOf(src, "", "/", "", 1000)
	if !slices.Equal(got, []string{"P big/", "z"}) || truncated {
		t.Fatalf("rows %q truncated %v", got, truncated)
	}
	if src.visited != 2 {
		t.Errorf("visited %d keys, want 2 (one per row)", src.visited)
	}
}
