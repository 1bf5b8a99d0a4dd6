package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestRunDNSRecords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		code    int
		want    []string // lines (fields compared) that must appear in stdout
		notWant []string
	}{
		{
			name: "default",
			args: []string{"records"},
			want: []string{
				"vpce-0a77994aa2124c299-9tcntpvn-us-east-1d.s3.us-east-1.vpce.amazonaws.com. 60 IN A 172.16.10.143",
				"*.vpce-0a77994aa2124c299-9tcntpvn-us-east-1d.s3.us-east-1.vpce.amazonaws.com. 60 IN A 172.16.10.143",
				"vpce-0a77994aa2124c299-9tcntpvn.s3.us-east-1.vpce.amazonaws.com. 60 IN A 172.16.6.143",
				"s3.us-east-1.vpce.amazonaws.com. 60 IN SOA ns.s3vpce.invalid. hostmaster.s3vpce.invalid. 1 7200 900 1209600 60",
			},
			notWant: []string{"s3.us-east-1.amazonaws.com. 60 IN A 172.16.10.143"},
		},
		{
			name: "private dns",
			args: []string{"records", "--private-dns"},
			want: []string{
				"s3.us-east-1.amazonaws.com. 60 IN A 172.16.10.143",
				"*.s3-control.us-east-1.amazonaws.com. 60 IN A 172.16.1.143",
				"*.s3-accesspoint.us-east-1.amazonaws.com. 60 IN A 172.16.1.143",
			},
		},
		{name: "no subcommand", args: nil, code: 2},
		{name: "unknown subcommand", args: []string{"zones"}, code: 2},
		{name: "bad flag", args: []string{"records", "--nope"}, code: 2},
		{name: "extra argument", args: []string{"records", "x"}, code: 2},
		{name: "help", args: []string{"records", "-h"}, code: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := runDNS(t.Context(), tt.args, &stdout, &stderr); code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, &stderr)
			}
			lines := map[string]bool{}
			for line := range strings.Lines(stdout.String()) {
				lines[strings.Join(strings.Fields(line), " ")] = true
			}
			for _, w := range tt.want {
				if !lines[w] {
					t.Errorf("stdout lacks %q:\n%s", w, &stdout)
				}
			}
			for _, w := range tt.notWant {
				if lines[w] {
					t.Errorf("stdout has %q", w)
				}
			}
		})
	}
}

// TestRunDNSRecordsParse checks that the output is a zone file that
// miekg/dns parses back.
func TestRunDNSRecordsParse(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := runDNS(t.Context(), []string{"records", "--private-dns"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, &stderr)
	}
	zp := dns.NewZoneParser(strings.NewReader(stdout.String()), ".", "records")
	n := 0
	for _, ok := zp.Next(); ok; _, ok = zp.Next() {
		n++
	}
	if err := zp.Err(); err != nil {
		t.Fatal(err)
	}
	// 5 apexes × (SOA + NS) + (regional + 6 zonal + 3 private) names × 2 owners, each 1 or 6 A.
	if want := 5*2 + 2*(6+6*1+3*6); n != want {
		t.Errorf("%d records, want %d", n, want)
	}
}
