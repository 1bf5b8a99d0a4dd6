package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/policy"
)

const policyUsage = `usage:
  s3vpce policy validate [--kind KIND] [--strict] FILE...
  s3vpce policy simulate --policy FILE [--kind KIND] [--policy FILE [--kind KIND]]...
                         --action ACTION --resource ARN --principal ARN|anonymous
                         [--context KEY=VALUE]... [flags]

validate parses each FILE strictly (with the rules of KIND when given) and
reports every error, located by statement, Sid, field, line and column. Like
IAM Access Analyzer's policy checks it also warns about what parses but
probably does not say what was meant: actions S3 does not have (s3:PutObjekt,
or a wildcard such as s3:Fetch* that matches none), actions of other services
in endpoint and bucket policies, unknown condition keys, and aws:SourceIp
(absent through a VPC endpoint). Errors and warnings go to standard error,
one a line ("FILE: policy: ..." and "FILE: warning: policy: ..."), then a
summary; a valid file prints "FILE: ok" (with its warning count) on standard
output. Exit status 1 when any file is invalid, or with --strict has a
warning; 0 otherwise.

simulate evaluates one request against the policies like the IAM policy
simulator and prints the decision, the reason (S3's AccessDenied wording)
and the deciding statement. Exit status 0 when allowed, 2 when denied,
1 for usage or input errors.

KIND is endpoint (interface endpoint, the default for simulate),
gateway-endpoint, bucket or identity. --kind applies to the --policy before
it (or, before any --policy, to the next one).

simulate flags:
  --policy FILE             a policy document (repeatable)
  --kind KIND               the kind of the preceding --policy
  --resource-account ID     account owning the resource (bucket policies);
                            default: the principal's own account
  --action ACTION           IAM action, e.g. s3:GetObject
  --resource ARN            resource ARN, e.g. arn:aws:s3:::bucket/key
  --principal ARN           caller ARN, or "anonymous"
  --role-arn ARN            for an assumed-role session: the role's ARN
  --username NAME           aws:username
  --userid ID               aws:userid
  --context KEY=VALUE       condition key (repeatable; a repeated key is
                            multivalued; "KEY=" is an empty value)
  --strict-identity         require an identity policy Allow (by default,
                            with no identity policy given, the principal is
                            assumed to hold identity-based permission)
  --explain                 print why every statement matched or not
`

// runPolicy implements "s3vpce policy".
func runPolicy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, policyUsage)
		if len(args) == 0 {
			return 1
		}
		return 0
	}
	switch args[0] {
	case "validate":
		return runPolicyValidate(ctx, args[1:], stdout, stderr)
	case "simulate":
		return runPolicySimulate(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "s3vpce policy: unknown subcommand %q\n%s", args[0], policyUsage)
	return 1
}

// kindFlag is a --kind flag value.
type kindFlag struct{ k policy.Kind }

func (f *kindFlag) String() string { return f.k.String() }
func (f *kindFlag) Set(s string) error {
	k, err := policy.ParseKind(s)
	if err != nil {
		return err
	}
	f.k = k
	return nil
}

func runPolicyValidate(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("s3vpce policy validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, policyUsage) }
	var kind kindFlag
	var strict bool
	fs.Var(&kind, "kind", "policy kind: endpoint, gateway-endpoint, bucket or identity")
	fs.BoolVar(&strict, "strict", false, "exit 1 on warnings too")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 1
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(stderr, "s3vpce policy validate: no FILE given\n%s", policyUsage)
		return 1
	}
	status := 0
	for _, file := range fs.Args() {
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "s3vpce policy validate: %v\n", err)
			status = 1
			continue
		}
		r := policy.ValidateAll(data, kind.k, policy.Supplying(emulator.SuppliedConditionKeys()))
		for _, e := range r.Errors {
			fmt.Fprintf(stderr, "%s: %v\n", file, e)
		}
		for _, w := range r.Warnings {
			fmt.Fprintf(stderr, "%s: warning: %v\n", file, w)
		}
		switch {
		case len(r.Errors) > 0:
			summary := policyCount(len(r.Errors), "error")
			if len(r.Warnings) > 0 {
				summary += ", " + policyCount(len(r.Warnings), "warning")
			}
			fmt.Fprintf(stderr, "%s: invalid: %s\n", file, summary)
			status = 1
		case len(r.Warnings) > 0:
			fmt.Fprintf(stdout, "%s: ok, %s\n", file, policyCount(len(r.Warnings), "warning"))
			if strict {
				status = 1
			}
		default:
			fmt.Fprintf(stdout, "%s: ok\n", file)
		}
	}
	return status
}

// policyCount renders n things: "1 error", "2 errors".
func policyCount(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// policyArg is one --policy with its --kind.
type policyArg struct {
	file    string
	kind    policy.Kind
	kindSet bool
}

// policyList collects --policy and --kind in order.
type policyList struct {
	list        []policyArg
	pendingKind policy.Kind
	pending     bool
}

type policyFlag struct{ l *policyList }

func (f policyFlag) String() string { return "" }
func (f policyFlag) Set(s string) error {
	a := policyArg{file: s, kind: policy.KindEndpoint}
	if f.l.pending {
		a.kind, a.kindSet = f.l.pendingKind, true
		f.l.pending = false
	}
	f.l.list = append(f.l.list, a)
	return nil
}

type policyKindFlag struct{ l *policyList }

func (f policyKindFlag) String() string { return "" }
func (f policyKindFlag) Set(s string) error {
	k, err := policy.ParseKind(s)
	if err != nil {
		return err
	}
	if n := len(f.l.list); n > 0 && !f.l.list[n-1].kindSet {
		f.l.list[n-1].kind, f.l.list[n-1].kindSet = k, true
		return nil
	}
	f.l.pendingKind, f.l.pending = k, true
	return nil
}

// contextFlag collects --context KEY=VALUE pairs.
type contextFlag struct{ c *policy.Context }

func (f contextFlag) String() string { return "" }
func (f contextFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", s)
	}
	f.c.Add(strings.TrimSpace(k), v)
	return nil
}

func runPolicySimulate(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("s3vpce policy simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, policyUsage) }
	var (
		pols    policyList
		req     policy.Request
		princ   string
		owner   string
		explain bool
	)
	fs.Var(policyFlag{&pols}, "policy", "policy document `FILE` (repeatable)")
	fs.Var(policyKindFlag{&pols}, "kind", "kind of the preceding --policy")
	fs.StringVar(&owner, "resource-account", "", "account owning the resource")
	fs.StringVar(&req.Action, "action", "", "IAM action")
	fs.StringVar(&req.Resource, "resource", "", "resource ARN")
	fs.StringVar(&princ, "principal", "", "caller ARN or anonymous")
	fs.StringVar(&req.Principal.RoleARN, "role-arn", "", "role ARN of an assumed-role session")
	fs.StringVar(&req.Principal.Username, "username", "", "aws:username")
	fs.StringVar(&req.Principal.UserID, "userid", "", "aws:userid")
	fs.Var(contextFlag{&req.Context}, "context", "condition key KEY=VALUE (repeatable)")
	fs.BoolVar(&req.StrictIdentity, "strict-identity", false, "require an identity policy Allow")
	fs.BoolVar(&explain, "explain", false, "explain every statement")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 1
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "s3vpce policy simulate: "+format+"\n", a...)
		return 1
	}
	switch {
	case fs.NArg() > 0:
		return fail("unexpected argument %q", fs.Arg(0))
	case len(pols.list) == 0:
		return fail("no --policy given")
	case req.Action == "":
		return fail("--action is required")
	case req.Resource == "":
		return fail("--resource is required")
	case princ == "":
		return fail("--principal is required (an ARN, or anonymous)")
	}
	if princ == "anonymous" || princ == "*" {
		req.Principal.Anonymous = true
	} else {
		if !strings.HasPrefix(princ, "arn:") {
			return fail("--principal %q is not an ARN (or anonymous)", princ)
		}
		req.Principal.ARN = princ
	}
	var att []policy.Attached
	for _, pa := range pols.list {
		data, err := os.ReadFile(pa.file)
		if err != nil {
			return fail("%v", err)
		}
		p, err := policy.Parse(data, policy.WithKind(pa.kind))
		if err != nil {
			return fail("%s: %v", pa.file, err)
		}
		a := policy.Attached{Policy: p, Kind: pa.kind}
		if pa.kind == policy.KindBucket || pa.kind == policy.KindAccessPoint {
			a.ResourceAccount = owner
		}
		att = append(att, a)
	}
	d, trace := policy.EvaluateTrace(&req, att...)
	for i, pa := range pols.list {
		fmt.Fprintf(stdout, "policy %d: %s (%s)\n", i, pa.file, pa.kind)
	}
	fmt.Fprintf(stdout, "decision: %s\n", simulatorWord(d))
	fmt.Fprintf(stdout, "reason: %s\n", d.Reason)
	if !d.Allowed() {
		fmt.Fprintf(stdout, "message: %s\n", d.Message())
	}
	switch {
	case d.Statement >= 0:
		st := &att[d.Policy].Policy.Statements[d.Statement]
		sid := ""
		if st.Sid != "" {
			sid = fmt.Sprintf(" (Sid %q)", st.Sid)
		}
		body, _ := st.MarshalJSON()
		fmt.Fprintf(stdout, "statement: %d%s in %s (%s)\n  %s\n", d.Statement, sid, pols.list[d.Policy].file, d.Kind, body)
	case d.Reason == policy.ReasonImplicitDeny:
		fmt.Fprintf(stdout, "statement: none (no statement in the %s policies allows the request)\n", d.Kind)
	case d.IdentityAssumed:
		fmt.Fprintln(stdout, "statement: none (identity-based permission assumed: no identity policy given)")
	}
	if explain {
		fmt.Fprint(stdout, "\n", trace)
	}
	if d.Allowed() {
		return 0
	}
	return 2
}

// simulatorWord renders the decision the way the IAM policy simulator does.
func simulatorWord(d policy.Decision) string {
	switch d.Reason {
	case policy.ReasonAllowed:
		return "allowed"
	case policy.ReasonExplicitDeny:
		return "explicitDeny"
	}
	return "implicitDeny"
}
