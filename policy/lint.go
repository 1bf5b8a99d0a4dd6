package policy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Report is what [ValidateAll] found in a policy document.
type Report struct {
	// Errors make the policy invalid; Parse refuses it with the first.
	Errors []*ParseError
	// Warnings are about a policy that parses but probably does not say
	// what was meant: an action S3 does not have, a condition key no S3
	// request carries. Each is located like an error.
	Warnings []*ParseError
}

// ValidateAll is [Validate] that does not stop at the first error, plus
// the checks IAM Access Analyzer makes beyond the grammar, as warnings:
//
//   - an s3: action S3 does not have (s3:PutObjekt), or an s3: wildcard
//     that matches no S3 action;
//   - in endpoint and bucket policies, an action of another service (S3
//     never asks for it);
//   - a condition key that is neither a global aws: key nor one S3
//     supplies, and aws:SourceIp, which is absent for requests through a
//     VPC endpoint.
//
// With Supplying, also a key of S3's operation table that the evaluating
// program does not put in the request context (the policy is valid for
// AWS, but its condition never matches there).
func ValidateAll(data []byte, kind Kind, opts ...ValidateOption) Report {
	var cfg validateConfig
	for _, o := range opts {
		o(&cfg)
	}
	var r Report
	if kind.isEndpoint() {
		if n := utf8.RuneCount(data); n > MaxEndpointPolicyChars {
			r.Errors = append(r.Errors, &ParseError{Statement: -1, Msg: fmt.Sprintf("policy has %d characters; a VPC endpoint policy allows at most %d including white space", n, MaxEndpointPolicyChars)})
		}
	}
	_, root, errs := parseAll(data, kind)
	r.Errors = append(r.Errors, errs...)
	if root != nil {
		r.Warnings = lint(root, kind, &cfg)
		for _, w := range r.Warnings {
			w.Line, w.Col = lineCol(data, w.off)
		}
	}
	// In document order (Parse reports a statement's field errors before
	// the statement-wide ones, wherever they are).
	byPosition := func(a, b *ParseError) int { return cmp.Compare(a.off, b.off) }
	slices.SortStableFunc(r.Errors, byPosition)
	slices.SortStableFunc(r.Warnings, byPosition)
	return r
}

// lint walks the statements of a decoded document for warnings. It reads
// the node tree rather than the Policy so that it can locate each value
// and go on past statements that did not parse.
func lint(root *jnode, kind Kind, cfg *validateConfig) []*ParseError {
	if root.kind != jObject {
		return nil
	}
	var stmts []*jnode
	for _, f := range root.obj {
		if f.name != "Statement" {
			continue
		}
		switch f.val.kind {
		case jObject:
			stmts = []*jnode{f.val}
		case jArray:
			stmts = f.val.arr
		}
	}
	var out []*ParseError
	for i, n := range stmts {
		if n.kind != jObject {
			continue
		}
		sid := ""
		for _, f := range n.obj {
			if f.name == "Sid" && f.val.kind == jString {
				sid = f.val.str
			}
		}
		warn := func(field string, off int, format string, args ...any) {
			out = append(out, &ParseError{Statement: i, Sid: sid, Field: field, Msg: fmt.Sprintf(format, args...), off: off})
		}
		for _, f := range n.obj {
			switch f.name {
			case "Action", "NotAction":
				for _, v := range stringNodes(f.val) {
					if msg := lintAction(v.str, kind); msg != "" {
						warn(f.name, v.off, "%s", msg)
					}
				}
			case "Condition":
				if f.val.kind != jObject {
					continue
				}
				for _, op := range f.val.obj {
					if op.val.kind != jObject {
						continue
					}
					for _, k := range op.val.obj {
						msg := lintConditionKey(k.name)
						if msg == "" {
							msg = cfg.unsupplied(k.name)
						}
						if msg != "" {
							warn(f.name, k.off, "%s", msg)
						}
					}
				}
			}
		}
	}
	return out
}

// stringNodes returns the string values of a string or array node.
func stringNodes(n *jnode) []*jnode {
	switch n.kind {
	case jString:
		return []*jnode{n}
	case jArray:
		var out []*jnode
		for _, e := range n.arr {
			if e.kind == jString {
				out = append(out, e)
			}
		}
		return out
	}
	return nil
}

// lintAction returns a warning about action, or "".
func lintAction(action string, kind Kind) string {
	service, name, ok := strings.Cut(action, ":")
	if !ok || action == "*" {
		return ""
	}
	if !strings.EqualFold(service, "s3") {
		if kind == KindEndpoint || kind == KindGatewayEndpoint || kind == KindBucket || kind == KindAccessPoint {
			return fmt.Sprintf("action %q is not an S3 action: no request through an S3 endpoint or to a bucket is checked against it", action)
		}
		return ""
	}
	if strings.ContainsAny(name, "*?") {
		for _, a := range knownS3Actions() {
			if globFold(name, strings.TrimPrefix(a, "s3:")) {
				return ""
			}
		}
		return fmt.Sprintf("action %q matches no S3 action", action)
	}
	known := knownS3Actions()
	for _, a := range known {
		if strings.EqualFold(a, action) {
			return ""
		}
	}
	msg := fmt.Sprintf("unknown action %q: S3 has no such action, so the statement never applies to it", action)
	if near := nearest(action, known); near != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", near)
	}
	return msg
}

// ValidateOption configures ValidateAll.
type ValidateOption func(*validateConfig)

type validateConfig struct {
	supplied []string // nil: not checked
}

// Supplying tells ValidateAll which operation-specific S3 condition keys
// (the operation table's spelling; families end in "/") the program that
// will evaluate the policy supplies, besides S3CommonKeys.
func Supplying(keys []string) ValidateOption {
	return func(c *validateConfig) { c.supplied = append([]string{}, keys...) }
}

// unsupplied warns about an operation-table key outside c.supplied.
func (c *validateConfig) unsupplied(key string) string {
	if c.supplied == nil || !strings.HasPrefix(strings.ToLower(key), "s3:") {
		return ""
	}
	matches := func(k string) bool {
		if strings.HasSuffix(k, "/") {
			return len(key) > len(k) && strings.EqualFold(key[:len(k)], k)
		}
		return strings.EqualFold(k, key)
	}
	for _, k := range commonKeys {
		if matches(k) {
			return ""
		}
	}
	for _, k := range c.supplied {
		if matches(k) {
			return ""
		}
	}
	for _, op := range s3Ops {
		for _, k := range op.Keys {
			if matches(k) {
				return fmt.Sprintf("condition key %q is one S3 supplies, but s3vpce does not put it in the request context, so here the condition never matches", key)
			}
		}
	}
	return ""
}

// lintConditionKey returns a warning about a condition key, or "".
func lintConditionKey(key string) string {
	if checkConditionKey(key) != "" {
		return "" // an error already
	}
	if strings.EqualFold(key, "aws:SourceIp") {
		return `condition key "aws:SourceIp" is absent for requests through a VPC endpoint: use aws:VpcSourceIp (the client's private address) or aws:SourceVpce`
	}
	known := knownConditionKeys()
	for _, k := range known {
		if strings.HasSuffix(k, "/") {
			if len(key) > len(k) && strings.EqualFold(key[:len(k)], k) {
				return ""
			}
			continue
		}
		if strings.EqualFold(k, key) {
			return ""
		}
	}
	msg := fmt.Sprintf("unknown condition key %q: neither a global aws: key nor one S3 supplies, so the request never has it", key)
	if near := nearest(key, known); near != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", near)
	}
	return msg
}

// knownS3Actions returns every S3 IAM action: those of the operation table
// and the rest of the Service Authorization Reference's list.
func knownS3Actions() []string {
	out := make([]string, 0, len(otherS3Actions)+len(s3Ops)*2)
	for _, op := range s3Ops {
		for _, a := range op.Actions {
			out = append(out, a.Action)
			if a.VersionAction != "" {
				out = append(out, a.VersionAction)
			}
		}
		for _, c := range op.Conditional {
			out = append(out, c.Action)
		}
	}
	return append(out, otherS3Actions...)
}

// knownConditionKeys returns the global condition keys and every S3 key;
// names ending in "/" are families (aws:PrincipalTag/<key>).
func knownConditionKeys() []string {
	out := append(append([]string(nil), globalConditionKeys...), commonKeys...)
	for _, op := range s3Ops {
		out = append(out, op.Keys...)
	}
	return append(out, otherS3ConditionKeys...)
}

// otherS3Actions are the S3 actions (Service Authorization Reference) that
// the operation table does not use.
var otherS3Actions = []string{
	"s3:AssociateAccessGrantsIdentityCenter", "s3:CreateAccessGrant", "s3:CreateAccessGrantsInstance",
	"s3:CreateAccessGrantsLocation", "s3:CreateAccessPointForObjectLambda", "s3:CreateBucketMetadataTableConfiguration",
	"s3:CreateJob", "s3:CreateMultiRegionAccessPoint", "s3:CreateStorageLensGroup", "s3:DeleteAccessGrant",
	"s3:DeleteAccessGrantsInstance", "s3:DeleteAccessGrantsInstanceResourcePolicy", "s3:DeleteAccessGrantsLocation",
	"s3:DeleteAccessPointForObjectLambda", "s3:DeleteAccessPointPolicyForObjectLambda", "s3:DeleteBucketMetadataTableConfiguration",
	"s3:DeleteBucketOwnershipControls", "s3:DeleteJobTagging", "s3:DeleteMultiRegionAccessPoint",
	"s3:DeleteStorageLensConfiguration", "s3:DeleteStorageLensConfigurationTagging", "s3:DeleteStorageLensGroup",
	"s3:DescribeJob", "s3:DescribeMultiRegionAccessPointOperation", "s3:DissociateAccessGrantsIdentityCenter",
	"s3:GetAccessGrant", "s3:GetAccessGrantsInstance", "s3:GetAccessGrantsInstanceForPrefix",
	"s3:GetAccessGrantsInstanceResourcePolicy", "s3:GetAccessGrantsLocation", "s3:GetAccessPointConfigurationForObjectLambda",
	"s3:GetAccessPointForObjectLambda", "s3:GetAccessPointPolicyForObjectLambda", "s3:GetAccessPointPolicyStatusForObjectLambda",
	"s3:GetAccountPublicAccessBlock", "s3:GetBucketMetadataTableConfiguration", "s3:GetDataAccess", "s3:GetJobTagging",
	"s3:GetMultiRegionAccessPoint", "s3:GetMultiRegionAccessPointPolicy", "s3:GetMultiRegionAccessPointPolicyStatus",
	"s3:GetMultiRegionAccessPointRoutes", "s3:GetObjectVersionForReplication", "s3:GetStorageLensConfiguration",
	"s3:GetStorageLensConfigurationTagging", "s3:GetStorageLensDashboard", "s3:GetStorageLensGroup", "s3:InitiateReplication",
	"s3:ListAccessGrants", "s3:ListAccessGrantsInstances", "s3:ListAccessGrantsLocations", "s3:ListAccessPointsForObjectLambda",
	"s3:ListCallerAccessGrants", "s3:ListJobs", "s3:ListMultiRegionAccessPoints", "s3:ListStorageLensConfigurations",
	"s3:ListStorageLensGroups", "s3:ListTagsForResource", "s3:ObjectOwnerOverrideToBucketOwner", "s3:PauseReplication",
	"s3:PutAccessGrantsInstanceResourcePolicy", "s3:PutAccessPointConfigurationForObjectLambda",
	"s3:PutAccessPointPolicyForObjectLambda", "s3:PutAccessPointPublicAccessBlock", "s3:PutAccountPublicAccessBlock",
	"s3:PutJobTagging", "s3:PutMultiRegionAccessPointPolicy", "s3:PutStorageLensConfiguration",
	"s3:PutStorageLensConfigurationTagging", "s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags",
	"s3:SubmitMultiRegionAccessPointRoutes", "s3:TagResource", "s3:UntagResource", "s3:UpdateAccessGrantsLocation",
	"s3:UpdateJobPriority", "s3:UpdateJobStatus", "s3:UpdateStorageLensGroup",
}

// globalConditionKeys are IAM's global condition context keys.
var globalConditionKeys = []string{
	"aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:CurrentTime", "aws:EpochTime",
	"aws:Ec2InstanceSourcePrivateIPv4", "aws:Ec2InstanceSourceVpc", "aws:FederatedProvider",
	"aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:PrincipalAccount", "aws:PrincipalArn",
	"aws:PrincipalIsAWSService", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalServiceName",
	"aws:PrincipalServiceNamesList", "aws:PrincipalTag/", "aws:PrincipalType", "aws:Referer", "aws:RequestedRegion",
	"aws:RequestTag/", "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:ResourceTag/",
	"aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn", "aws:SourceIdentity", "aws:SourceIp",
	"aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpcArn", "aws:SourceVpce", "aws:TagKeys",
	"aws:TokenIssueTime", "aws:UserAgent", "aws:userid", "aws:username", "aws:ViaAWSService", "aws:VpcSourceIp",
}

// otherS3ConditionKeys are S3's condition keys (Service Authorization
// Reference) that the operation table does not list.
var otherS3ConditionKeys = []string{
	"s3:AccessGrantsInstanceArn", "s3:AccessPointNetworkOrigin", "s3:BucketTag/", "s3:DataAccessPointAccount",
	"s3:DataAccessPointArn", "s3:ExistingJobOperation", "s3:ExistingJobPriority", "s3:if-match", "s3:if-none-match",
	"s3:JobSuspendedCause", "s3:RequestJobOperation", "s3:RequestJobPriority",
}

// nearest returns the candidate closest to s (case folded) when it is at
// most two edits away, else "".
func nearest(s string, candidates []string) string {
	best, bestD := "", 3
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if strings.HasSuffix(c, "/") {
			continue
		}
		if d := editDistance(ls, strings.ToLower(c), bestD); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, or limit when it is
// at least limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}

// globFold matches an IAM action pattern (* and ?) against a name, ASCII
// case folded. It backtracks only to the last star, so it runs in time
// proportional to len(pattern)*len(name) whatever the pattern.
func globFold(pattern, name string) bool {
	pattern, name = strings.ToLower(pattern), strings.ToLower(name)
	p, n := 0, 0
	star, mark := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == name[n]):
			p++
			n++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, n
			p++
		case star >= 0:
			p = star + 1
			mark++
			n = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
