package jsonloc

import (
	"slices"
	"testing"
)

func TestLocate(t *testing.T) {
	doc := []byte("{\n  \"a\": [1, {\"b\": true}],\n  \"c\": \"x\"\n}")
	got := Locate(doc)
	want := []Value{
		{Path: "", Off: 0, Key: -1},
		{Path: "a", Off: 9, Key: 4},
		{Path: "a[0]", Off: 10, Key: -1},
		{Path: "a[1]", Off: 13, Key: -1},
		{Path: "a[1].b", Off: 19, Key: 14},
		{Path: "c", Off: 34, Key: 29},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Locate:\n got %+v\nwant %+v", got, want)
	}
	for _, tc := range []struct {
		off       int64
		line, col int
	}{{0, 1, 1}, {9, 2, 8}, {34, 3, 8}, {-5, 1, 1}, {999, 4, 2}} {
		if l, c := Position(doc, tc.off); l != tc.line || c != tc.col {
			t.Errorf("Position(%d) = %d:%d, want %d:%d", tc.off, l, c, tc.line, tc.col)
		}
	}
	// A syntax error ends the walk; what came before is kept.
	if got := Locate([]byte(`{"a": 1, "b": }`)); len(got) != 2 || got[1].Path != "a" {
		t.Errorf("Locate of a broken document: %+v", got)
	}
}
