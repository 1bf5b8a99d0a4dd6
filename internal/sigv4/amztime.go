package sigv4

import "time"

// Credential dates ("20060102") and X-Amz-Date ("20060102T150405Z") are
// parsed and formatted on every request; these are time.Parse and
// Time.AppendFormat for those two layouts, without interpreting the
// layout each time. Input of any other shape goes to time.Parse itself,
// so the errors are its own.

const dateLayout = "20060102"

// parseAmzTime is time.Parse(layout, s) for layout dateLayout or
// amzDateLayout.
func parseAmzTime(layout, s string) (time.Time, error) {
	if len(s) != len(layout) || len(s) == len(amzDateLayout) && (s[8] != 'T' || s[15] != 'Z') {
		return time.Parse(layout, s)
	}
	var n [7]int // year month day hour minute second
	fields := [...]struct{ at, width int }{{0, 4}, {4, 2}, {6, 2}, {9, 2}, {11, 2}, {13, 2}}
	for i, f := range fields {
		if f.at+f.width > len(s) {
			break
		}
		for _, c := range []byte(s[f.at : f.at+f.width]) {
			if c < '0' || c > '9' {
				return time.Parse(layout, s)
			}
			n[i] = n[i]*10 + int(c-'0')
		}
	}
	year, month, day, hour, minute, sec := n[0], time.Month(n[1]), n[2], n[3], n[4], n[5]
	t := time.Date(year, month, day, hour, minute, sec, 0, time.UTC)
	if month < 1 || month > 12 || day < 1 || t.Day() != day || hour > 23 || minute > 59 || sec > 59 {
		return time.Parse(layout, s) // out of range: time.Parse's error
	}
	return t, nil
}

// appendAmzTime is t.AppendFormat(b, layout) for layout dateLayout or
// amzDateLayout.
func appendAmzTime(b []byte, t time.Time, layout string) []byte {
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, layout)
	}
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10))
	b = append2(append2(b, int(month)), day)
	if layout == dateLayout {
		return b
	}
	hour, minute, sec := t.Clock()
	b = append2(append2(append2(append(b, 'T'), hour), minute), sec)
	return append(b, 'Z')
}

// append2 appends n, 0 to 99, as two digits.
func append2(b []byte, n int) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}
