package emulator

import (
	"fmt"
	"testing"
)

// The decision log finds the records it still holds by request ID, the
// newest when an ID repeats, and none it has dropped.
func TestDecisionLogGet(t *testing.T) {
	l := newDecisionLog(4)
	for i := range 6 { // 0 and 1 are dropped
		l.add(&DecisionRecord{RequestID: fmt.Sprintf("ID%d", i), Operation: "first"})
	}
	l.add(&DecisionRecord{RequestID: "ID4", Operation: "again"}) // drops ID2
	tests := []struct {
		id, op string
		ok     bool
	}{
		{"ID0", "", false},
		{"ID1", "", false},
		{"ID2", "", false},
		{"ID3", "first", true},
		{"ID4", "again", true},
		{"ID5", "first", true},
		{"unknown", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			d, ok := l.get(tt.id)
			if ok != tt.ok {
				t.Fatalf("get(%s) found = %v, want %v", tt.id, ok, tt.ok)
			}
			if ok && d.Operation != tt.op {
				t.Errorf("get(%s) = the %q record, want the %q one", tt.id, d.Operation, tt.op)
			}
		})
	}
	if got := l.recent(10); len(got) != 4 || got[0].RequestID != "ID4" || got[3].RequestID != "ID3" {
		t.Errorf("recent = %d records starting %v, want ID4, ID5, ID4, ID3", len(got), got)
	}
	t.Run("empty", func(t *testing.T) {
		if _, ok := newDecisionLog(3).get("x"); ok {
			t.Error("an empty log found a record")
		}
	})
}
