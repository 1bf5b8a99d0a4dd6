package policy

import (
	"fmt"
	"slices"
	"testing"
)

func TestContextSetValue(t *testing.T) {
	var c Context
	c.Grow(4)
	c.SetValue("aws:SourceVpce", "vpce-1")
	c.SetValue("aws:sourcevpc", "vpc-1")
	c.SetValue("AWS:SOURCEVPCE", "vpce-2") // replaces, case-insensitively
	c.Add("aws:sourcevpc", "vpc-2")        // grows a single value into a set without touching others
	if v, _ := c.Get("aws:sourcevpce"); !slices.Equal(v, []string{"vpce-2"}) {
		t.Errorf("aws:SourceVpce = %v", v)
	}
	if v, _ := c.Get("aws:SourceVpc"); !slices.Equal(v, []string{"vpc-1", "vpc-2"}) {
		t.Errorf("aws:SourceVpc = %v", v)
	}
	if c.Len() != 2 {
		t.Errorf("Len = %d", c.Len())
	}
	if n := testing.AllocsPerRun(100, func() {
		var c Context
		c.Grow(8)
		for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
			c.SetValue(k, "v")
		}
	}); n > 2 {
		t.Errorf("SetValue after Grow allocates %.0f times, want at most the 2 of Grow", n)
	}
}

// A small context (Grow(n), n <= smallContext) is one allocation, and
// setting past the room Grow made still keeps every value apart.
func TestContextSmallGrow(t *testing.T) {
	keys := []string{"a", "b", "c", "d", "e", "f"}
	for _, n := range []int{1, 2, smallContext} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			if a := testing.AllocsPerRun(100, func() {
				var c Context
				c.Grow(n)
				for _, k := range keys[:n] {
					c.SetValue(k, "v")
				}
			}); a > 1 {
				t.Errorf("Grow(%d) and %d SetValues allocate %.0f times, want 1", n, n, a)
			}
			var c Context
			c.Grow(n)
			for i, k := range keys {
				c.SetValue(k, "v"+k)
				if i == 0 {
					c.Add(k, "more")
				}
			}
			for i, k := range keys {
				want := []string{"v" + k}
				if i == 0 {
					want = append(want, "more")
				}
				if v, _ := c.Get(k); !slices.Equal(v, want) {
					t.Errorf("%s = %q, want %q", k, v, want)
				}
			}
		})
	}
}
