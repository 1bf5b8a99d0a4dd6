package bench

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	// Fields 14 and 15 (utime, stime) are 250 and 50 ticks: 3 s.
	const tail = " S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 12 0 100 2000 300"
	for _, tc := range []struct {
		name, line string
		want       time.Duration
		err        string
	}{
		{name: "plain", line: "4242 (s3vpce)" + tail, want: 3 * time.Second},
		{name: "name with spaces and parens", line: "4242 (a) (b c))" + tail, want: 3 * time.Second},
		{name: "zero", line: "1 (x) S 1 2 3 4 5 6 7 8 9 10 0 0", want: 0},
		{name: "no name", line: "4242 s3vpce S 1", err: "no command name"},
		{name: "short", line: "4242 (s3vpce) S 1 2 3", err: "fields after the command name"},
		{name: "not a number", line: "4242 (s3vpce) S 1 2 3 4 5 6 7 8 9 10 x 50", err: "field 14"},
		{name: "negative", line: "4242 (s3vpce) S 1 2 3 4 5 6 7 8 9 10 1 -5", err: "field 15"},
		{name: "huge", line: "4242 (s3vpce) S 1 2 3 4 5 6 7 8 9 10 922337203685 1", err: "out of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseProcStat([]byte(tc.line))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, %v; want an error with %q", got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// TestProcessCPU reads this process's own CPU time: it grows while the
// test burns CPU.
func TestProcessCPU(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	before, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for {
		after, err := processCPU(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if after < before {
			t.Fatalf("CPU time went back: %v then %v", before, after)
		}
		if after > before {
			return
		}
		spin()
	}
}

// spin burns a little CPU.
func spin() {
	x := 0
	for i := range 1 << 20 {
		x += i * i
	}
	sink = x
}

var sink int

func FuzzParseProcStat(f *testing.F) {
	f.Add([]byte("4242 (s3vpce) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20"))
	f.Add([]byte("1 ((x) y)) R 1 2 3 4 5 6 7 8 9 10 18446744073709551615 0"))
	f.Fuzz(func(t *testing.T, line []byte) {
		d, err := parseProcStat(line)
		if err == nil && d < 0 {
			t.Fatalf("negative CPU time %v from %q", d, line)
		}
	})
}
