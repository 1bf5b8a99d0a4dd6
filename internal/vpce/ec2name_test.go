package vpce

import (
	"net/netip"
	"testing"
)

func TestEC2Hostname(t *testing.T) {
	tests := []struct {
		ip, region, want string
	}{
		{"172.16.10.143", "us-east-1", "ip-172-16-10-143.ec2.internal"},
		{"10.0.0.5", "eu-west-1", "ip-10-0-0-5.eu-west-1.compute.internal"},
		{"::1", "us-east-1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := EC2Hostname(netip.MustParseAddr(tt.ip), tt.region); got != tt.want {
				t.Errorf("EC2Hostname(%s, %s) = %q, want %q", tt.ip, tt.region, got, tt.want)
			}
		})
	}
}

func TestParseEC2Label(t *testing.T) {
	tests := []struct {
		label string
		want  string // "" means not an EC2 label
	}{
		{"ip-172-16-10-143", "172.16.10.143"},
		{"ip-0-0-0-0", "0.0.0.0"},
		{"ip-255-255-255-255", "255.255.255.255"},
		{"ip-256-0-0-1", ""},
		{"ip-01-0-0-1", ""},
		{"ip-1-2-3", ""},
		{"ip-1-2-3-4-5", ""},
		{"ip-1-2-3-", ""},
		{"ip--1-2-3", ""},
		{"ip-+1-2-3-4", ""},
		{"ipx1-2-3-4", ""},
		{"IP-1-2-3-4", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			got, ok := ParseEC2Label(tt.label)
			if tt.want == "" {
				if ok {
					t.Fatalf("ParseEC2Label(%q) = %s, want no match", tt.label, got)
				}
				return
			}
			if !ok || got != netip.MustParseAddr(tt.want) {
				t.Fatalf("ParseEC2Label(%q) = %s, %v, want %s", tt.label, got, ok, tt.want)
			}
		})
	}
}

func FuzzParseEC2Label(f *testing.F) {
	for _, s := range []string{"ip-172-16-10-143", "ip-1-2-3-4", "ip-01-2-3-4", "ip-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, label string) {
		ip, ok := ParseEC2Label(label)
		if !ok {
			return
		}
		// Round trip: the canonical hostname's first label is the input.
		host := EC2Hostname(ip, "us-east-1")
		if want := label + ".ec2.internal"; host != want {
			t.Fatalf("ParseEC2Label(%q) = %s; EC2Hostname gives %q", label, ip, host)
		}
	})
}
