package main

import (
	"io"
	"testing"
	"time"
)

// TestServeTimeoutFlags: the timeout and connection-cap flags take a
// positive value or "off" (-1, which the emulator reads as none), leave 0
// (the emulator's default) when absent, and refuse anything else.
func TestServeTimeoutFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		args              []string
		header, idle, req time.Duration
		maxConns          int
		wantErr           bool
	}{
		{"absent: the emulator's defaults", nil, 0, 0, 0, 0, false},
		{"values", []string{"--read-header-timeout", "5s", "--idle-timeout", "90s", "--request-timeout", "1m", "--max-conns-per-source", "64"}, 5 * time.Second, 90 * time.Second, time.Minute, 64, false},
		{"off", []string{"--read-header-timeout", "off", "--idle-timeout", "off", "--request-timeout", "off", "--max-conns-per-source", "off"}, -1, -1, -1, -1, false},
		{"zero duration", []string{"--request-timeout", "0"}, 0, 0, 0, 0, true},
		{"negative duration", []string{"--idle-timeout", "-5s"}, 0, 0, 0, 0, true},
		{"duration without unit", []string{"--read-header-timeout", "20"}, 0, 0, 0, 0, true},
		{"zero connections", []string{"--max-conns-per-source", "0"}, 0, 0, 0, 0, true},
		{"not a number", []string{"--max-conns-per-source", "many"}, 0, 0, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, f := newServeFlags(io.Discard)
			err := fs.Parse(tt.args)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse(%q): error %v, want error %v", tt.args, err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if f.readHeaderTimeout != tt.header || f.idleTimeout != tt.idle || f.requestTimeout != tt.req || f.maxConnsPerSource != tt.maxConns {
				t.Errorf("got header %v, idle %v, request %v, max conns %d; want %v, %v, %v, %d",
					f.readHeaderTimeout, f.idleTimeout, f.requestTimeout, f.maxConnsPerSource, tt.header, tt.idle, tt.req, tt.maxConns)
			}
		})
	}
}
