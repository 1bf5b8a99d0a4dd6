package emulator

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/s3vpce/s3vpce/policy"
)

// keyInput is what a condition key's value is taken from.
type keyInput struct {
	r   *http.Request
	t   target
	now time.Time
}

// keySource returns the values of one operation-specific condition key
// for a request; none means the key is absent from the request context.
type keySource func(in *keyInput) []string

// headerKey supplies s3:<header> from the request header of that name.
func headerKey(name string) keySource {
	canonical := http.CanonicalHeaderKey(name)
	return func(in *keyInput) []string {
		if v := headerValue(in.r.Header, canonical); v != "" {
			return []string{v}
		}
		return nil
	}
}

func queryKey(name string, always bool) keySource {
	return func(in *keyInput) []string {
		if v, ok := in.t.query[name]; ok && len(v) > 0 {
			return v[:1]
		}
		if always {
			return []string{""}
		}
		return nil
	}
}

// operationKeys maps each operation-specific key of the operation table
// (policy.S3Op.Keys, lower case) that s3vpce supplies to its source.
// Families (ending in "/") are supplied by familyKeys. A key of the table
// missing from both is never in the context: SuppliedConditionKeys leaves
// it out, and `s3vpce policy validate` warns about policies that use it.
var operationKeys = func() map[string]keySource {
	m := map[string]keySource{
		"s3:prefix":    queryKey("prefix", true),
		"s3:delimiter": queryKey("delimiter", false),
		"s3:max-keys":  queryKey("max-keys", false),
		"s3:versionid": queryKey("versionId", false),
		"s3:requestobjecttagkeys": func(in *keyInput) []string {
			keys := make([]string, 0, 4)
			for k := range requestTags(in.r) {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return keys
		},
	}
	for k, h := range headerKeys {
		m[k] = headerKey(h)
	}
	return m
}()

// headerKeys maps each operation key of operationKeys taken from a
// request header to that header.
var headerKeys = map[string]string{
	"s3:x-amz-acl":                                       "x-amz-acl",
	"s3:x-amz-grant-read":                                "x-amz-grant-read",
	"s3:x-amz-grant-write":                               "x-amz-grant-write",
	"s3:x-amz-grant-read-acp":                            "x-amz-grant-read-acp",
	"s3:x-amz-grant-write-acp":                           "x-amz-grant-write-acp",
	"s3:x-amz-grant-full-control":                        "x-amz-grant-full-control",
	"s3:x-amz-copy-source":                               "x-amz-copy-source",
	"s3:x-amz-metadata-directive":                        "x-amz-metadata-directive",
	"s3:x-amz-server-side-encryption":                    "x-amz-server-side-encryption",
	"s3:x-amz-server-side-encryption-aws-kms-key-id":     "x-amz-server-side-encryption-aws-kms-key-id",
	"s3:x-amz-server-side-encryption-customer-algorithm": "x-amz-server-side-encryption-customer-algorithm",
	"s3:x-amz-storage-class":                             "x-amz-storage-class",
	"s3:x-amz-website-redirect-location":                 "x-amz-website-redirect-location",
	"s3:x-amz-object-ownership":                          "x-amz-object-ownership",
	"s3:object-lock-mode":                                "x-amz-object-lock-mode",
	"s3:object-lock-retain-until-date":                   "x-amz-object-lock-retain-until-date",
	"s3:object-lock-legal-hold":                          "x-amz-object-lock-legal-hold",
}

// requestTags parses x-amz-tagging (URL query form).
func requestTags(r *http.Request) url.Values {
	tags := headerValue(r.Header, hdrTagging)
	if tags == "" {
		return nil
	}
	vals, err := url.ParseQuery(tags)
	if err != nil {
		return nil
	}
	return vals
}

// familyKeys are the key families of the table that s3vpce supplies
// ("s3:requestobjecttag/" + tag key, "s3:existingobjecttag/" + tag key):
// addFamily adds them.
var familyKeys = map[string]bool{"s3:requestobjecttag/": true, "s3:existingobjecttag/": true}

// addFamily adds the keys of family lk (one of familyKeys). A direct call,
// not a function value: ctx stays on its caller's stack.
func (s *Server) addFamily(lk string, in *keyInput, ctx *policy.Context) {
	switch lk {
	case "s3:requestobjecttag/":
		for k, v := range requestTags(in.r) {
			ctx.Set("s3:requestobjecttag/"+k, v...)
		}
	case "s3:existingobjecttag/":
		v, err := s.store.Object(in.t.bucket, in.t.key, in.t.query.Get("versionId"))
		if err != nil || v.DeleteMarker {
			return
		}
		for _, tag := range v.Tags {
			ctx.SetValue("s3:existingobjecttag/"+tag.Key, tag.Value)
		}
	}
}

// SuppliedConditionKeys returns the S3 condition keys s3vpce puts in the
// request context (in the operation table's spelling; families end in
// "/"), besides policy.S3CommonKeys.
func SuppliedConditionKeys() []string {
	seen := map[string]bool{}
	var out []string
	for _, name := range policy.S3Operations() {
		op, _ := policy.S3Operation(name)
		for _, k := range op.Keys {
			lk := strings.ToLower(k)
			_, plain := operationKeys[lk]
			if (plain || familyKeys[lk]) && !seen[lk] {
				seen[lk] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// addOperationKeys adds the operation-specific keys the table declares for
// t.op. Existing-object tags are looked up in the store only when one of
// the policies that decide the request has a condition on them.
func (s *Server) addOperationKeys(ctx *policy.Context, r *http.Request, t target, now time.Time, need *contextNeed, policies ...*policy.Policy) {
	keys := s.opKeys[t.op]
	if len(keys) == 0 {
		return
	}
	var in *keyInput // made for the first key needed: most requests need none
	for _, lk := range keys {
		if !need.hasPrefix(lk) {
			continue // a key (or family) no deciding policy reads
		}
		src, plain := operationKeys[lk]
		if !plain && (!familyKeys[lk] || lk == "s3:existingobjecttag/" && !usesKeyPrefix(lk, policies...)) {
			continue
		}
		if in == nil {
			in = &keyInput{r: r, t: t, now: now}
		}
		if !plain {
			s.addFamily(lk, in, ctx)
		} else if vals := src(in); len(vals) > 0 {
			ctx.Set(lk, vals...)
		}
	}
}

// operationKeyTable maps each operation of policy's table to its
// operation-specific condition keys, lower case (built once per Server:
// policy.S3Operation copies its entry on every call).
func operationKeyTable() map[string][]string {
	out := map[string][]string{}
	for _, name := range policy.S3Operations() {
		op, _ := policy.S3Operation(name)
		for _, k := range op.Keys {
			out[name] = append(out[name], strings.ToLower(k))
		}
	}
	return out
}

// usesKeyPrefix reports whether any policy has a condition on a key that
// starts with prefix (lower case).
func usesKeyPrefix(prefix string, policies ...*policy.Policy) bool {
	for _, p := range policies {
		if p == nil {
			continue
		}
		for _, st := range p.Statements {
			for _, c := range st.Conditions {
				if len(c.Key) >= len(prefix) && strings.EqualFold(c.Key[:len(prefix)], prefix) {
					return true
				}
			}
		}
	}
	return false
}
