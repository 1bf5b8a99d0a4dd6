package ec2api

import (
	"encoding/base64"
	"strings"
)

// pageLimits is how one Describe action bounds MaxResults. EC2 is not
// uniform: DescribeVpcs and most network actions refuse values outside
// 5..1000 (rangePages), while DescribeVpcEndpoints and its kin return at
// most 1,000 whatever is asked (clampPages).
type pageLimits int

const (
	// rangePages refuses MaxResults outside 5..1000.
	rangePages pageLimits = iota
	// clampPages accepts MaxResults ≥ 1 and returns at most 1,000.
	clampPages
)

// bounds are the limits' minimum, maximum and whether a larger value is
// lowered to the maximum instead of refused.
func (l pageLimits) bounds() (lo, hi int, clamp bool) {
	if l == clampPages {
		return 1, 1000, true
	}
	return 5, 1000, false
}

// Page is one page request: how many items (0: all) and the key after
// which it starts ("" for the first page).
type Page struct {
	Size  int
	After string
}

// tokenPrefix binds a token to its action, so that a token from
// DescribeVpcs is refused by DescribeSubnets.
const tokenPrefix = "s3vpce1|"

// ParsePage decodes MaxResults and NextToken for action. The token is
// opaque to clients (base64 of the action and the last key returned), so a
// page resumes after that key even when items were added or removed in
// between; a token that does not decode, or belongs to another action, is
// EC2's InvalidNextToken.
func ParsePage(p Params, action string, lim pageLimits) (Page, *Error) {
	var pg Page
	n, set, err := p.Int("MaxResults")
	if err != nil {
		return pg, err
	}
	if set {
		lo, hi, clamp := lim.bounds()
		switch {
		case n < lo:
			return pg, Errorf("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value greater than %d.", n, lo-1)
		case n > hi && clamp:
			n = hi
		case n > hi:
			return pg, Errorf("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value less than %d.", n, hi+1)
		}
		pg.Size = n
	}
	if tok, ok := p["NextToken"]; ok && len(tok) > 0 {
		after, ok := decodeToken(tok[0], action)
		if !ok {
			return pg, Errorf("InvalidNextToken", "The token '%s' is invalid.", tok[0])
		}
		pg.After = after
	}
	return pg, nil
}

func encodeToken(action, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + action + "|" + key))
}

func decodeToken(tok, action string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", false
	}
	rest, ok := strings.CutPrefix(string(b), tokenPrefix+action+"|")
	if !ok || rest == "" {
		return "", false
	}
	return rest, true
}

// Paginate returns the page pg of items, which must be sorted by key and
// have unique keys, and the NextToken for the next page ("" on the last).
func Paginate[T any](items []T, key func(T) string, action string, pg Page) (page []T, next string) {
	start := 0
	if pg.After != "" {
		// Binary search: the first item whose key is after pg.After.
		lo, hi := 0, len(items)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if key(items[m]) <= pg.After {
				lo = m + 1
			} else {
				hi = m
			}
		}
		start = lo
	}
	items = items[start:]
	if pg.Size <= 0 || len(items) <= pg.Size {
		return items, ""
	}
	page = items[:pg.Size]
	return page, encodeToken(action, key(page[len(page)-1]))
}
