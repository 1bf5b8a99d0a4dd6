package sigv4

import (
	"testing"
	"time"
)

func TestParseAmzTime(t *testing.T) {
	tests := []struct {
		name, layout, in string
		wantErr          bool
	}{
		{"amz date", amzDateLayout, "20261125T140000Z", false},
		{"credential date", dateLayout, "20261125", false},
		{"leap day", dateLayout, "20240229", false},
		{"no leap day", dateLayout, "20260229", true},
		{"month 13", amzDateLayout, "20261325T140000Z", true},
		{"day 0", dateLayout, "20261100", true},
		{"hour 24", amzDateLayout, "20261125T240000Z", true},
		{"second 60", amzDateLayout, "20261125T235960Z", true},
		{"no Z", amzDateLayout, "20261125T140000X", true},
		{"letters", dateLayout, "2026112a", true},
		{"short", dateLayout, "2026112", true},
		{"sign", dateLayout, "+2026112", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAmzTime(tt.layout, tt.in)
			want, wantErr := time.Parse(tt.layout, tt.in)
			if (err != nil) != tt.wantErr || (wantErr != nil) != tt.wantErr {
				t.Fatalf("err %v, time.Parse's %v; want error %v", err, wantErr, tt.wantErr)
			}
			if err == nil && !got.Equal(want) || got.Location() != want.Location() {
				t.Fatalf("%v, time.Parse gives %v", got, want)
			}
			if err == nil {
				if s := string(appendAmzTime(nil, got, tt.layout)); s != tt.in {
					t.Fatalf("appendAmzTime = %q, want %q", s, tt.in)
				}
			}
		})
	}
}

// FuzzParseAmzTime: parseAmzTime and appendAmzTime are time.Parse and
// Time.AppendFormat for the two SigV4 layouts, errors included.
func FuzzParseAmzTime(f *testing.F) {
	f.Add("20261125T140000Z", int64(0))
	f.Add("20240229", int64(-1))
	f.Add("99991231T235959Z", int64(253402300799))
	f.Fuzz(func(t *testing.T, s string, unix int64) {
		for _, layout := range []string{dateLayout, amzDateLayout} {
			got, err := parseAmzTime(layout, s)
			want, wantErr := time.Parse(layout, s)
			if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
				t.Fatalf("parseAmzTime(%q, %q): err %v, time.Parse's %v", layout, s, err, wantErr)
			}
			if got != want {
				t.Fatalf("parseAmzTime(%q, %q) = %v, time.Parse gives %v", layout, s, got, want)
			}
			tm := time.Unix(unix, 0).UTC()
			if g, w := string(appendAmzTime(nil, tm, layout)), tm.Format(layout); g != w {
				t.Fatalf("appendAmzTime(%v, %q) = %q, Format gives %q", tm, layout, g, w)
			}
		}
	})
}
