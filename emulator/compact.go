package emulator

import "net/http"

// compact drops what the record of a finished request no longer needs
// before the decision log keeps it: the request's SigV4 parse, its query,
// header map and body state. What the log shows stays: the exported
// fields, the checks' decisions and explanations (the kept policies and
// request contexts), and CheckRecord.Context for every key (the full
// context's inputs, down to the headers it reads). It runs in logDecision,
// after the last read of the rest and before the log shares the record.
func (d *DecisionRecord) compact() {
	d.caller = caller{principal: d.caller.principal}
	d.target = target{ap: d.target.ap}
	d.post, d.control = nil, nil
	var last *fullContext
	for i := range d.Checks {
		if f := d.Checks[i].full; f != nil && f != last {
			f.compact()
			last = f
		}
	}
}

// compact keeps of f's inputs only what building the whole context reads.
func (f *fullContext) compact() {
	if f.built {
		f.header, f.t = nil, target{}
		return
	}
	f.headerPairs, f.header = contextHeader(f.header), nil
	if len(f.t.query) == 0 {
		f.t.query = nil
	}
}

// contextHeaders are the request headers a condition key is taken from,
// in canonical form.
var contextHeaders = func() map[string]bool {
	m := map[string]bool{"User-Agent": true, "Referer": true, "X-Amz-Tagging": true}
	for _, h := range headerKeys {
		m[http.CanonicalHeaderKey(h)] = true
	}
	return m
}()

// contextHeader copies the first value of each header of h that a
// condition key is taken from, as name, value pairs (none: nil), so that
// keeping them keeps nothing else of the request. A slice, not a small
// map: a tenth of the size.
func contextHeader(h http.Header) []string {
	var pairs []string
	for k, v := range h {
		if len(v) > 0 && contextHeaders[k] {
			pairs = append(pairs, k, v[0])
		}
	}
	return pairs
}

// headerOf is the http.Header of name, value pairs (contextHeader).
func headerOf(pairs []string) http.Header {
	h := make(http.Header, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		h[pairs[i]] = pairs[i+1 : i+2 : i+2]
	}
	return h
}
