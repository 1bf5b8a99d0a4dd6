package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"text/tabwriter"

	"github.com/s3vpce/s3vpce/emulator"
	"github.com/s3vpce/s3vpce/internal/vpce"
)

const policyModeUsage = `usage: s3vpce policy-mode [enforce|audit]  [--home DIR]

Print the running serve's policy mode, or set it. "audit" lets a request
that a policy denies proceed: its decision is logged in full and marked
would-deny, and counted by statement, action and principal (s3vpce explain
--would-deny). "enforce", the default, answers it 403 AccessDenied, as S3
does. A change applies to the next request and is saved with the topology,
so a later serve on the same data starts in it (serve --policy-mode
overrides).
`

func runPolicyMode(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := newAdminCommand("s3vpce policy-mode", policyModeUsage, stderr)
	fs, home := cmd.fs, cmd.home
	rest, code, ok := cmd.parse(args)
	if !ok {
		return code
	}
	if len(rest) > 1 {
		fs.Usage()
		return 2
	}
	if len(rest) == 1 {
		if _, err := vpce.ParsePolicyMode(rest[0]); err != nil || rest[0] == "" {
			fmt.Fprintf(stderr, "s3vpce policy-mode: %q: want enforce or audit\n", rest[0])
			return 2
		}
	}
	c, err := adminClient(*home)
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce policy-mode: %v\n", err)
		return 1
	}
	var out []byte
	if len(rest) == 0 {
		out, err = adminDo(ctx, c, http.MethodGet, "/v1/policy-mode", nil)
	} else {
		_, err = adminDo(ctx, c, http.MethodPut, "/v1/policy-mode", strings.NewReader(rest[0]))
		out = []byte(rest[0] + "\n")
	}
	if err != nil {
		fmt.Fprintf(stderr, "s3vpce policy-mode: %v\n", err)
		return 1
	}
	stdout.Write(out)
	return 0
}

// auditBanner is the banner's loud line in audit mode; "" otherwise.
func auditBanner(srv *emulator.Server, homeFlag string) string {
	if srv.PolicyMode() != emulator.PolicyAudit {
		return ""
	}
	return fmt.Sprintf("AUDIT MODE   POLICIES ARE NOT ENFORCED: a request a policy denies proceeds, logged as decision=would-deny "+
		"(s3vpce explain --would-deny%s; s3vpce policy-mode enforce%s to enforce)\n", homeFlag, homeFlag)
}

// warnAudit logs a warning when srv does not enforce its policies.
func warnAudit(log *slog.Logger, srv *emulator.Server) {
	if srv.PolicyMode() == emulator.PolicyAudit {
		log.Warn("policy mode is audit: policy denials are NOT enforced; denied requests proceed, marked would-deny")
	}
}

// explainWouldDeny prints the would-deny summary of the running serve as
// a table sorted by count (or its JSON), then with reset empties it.
func explainWouldDeny(ctx context.Context, c *http.Client, asJSON, reset bool, w io.Writer) error {
	raw, err := adminDo(ctx, c, http.MethodGet, "/v1/would-deny", nil)
	if err != nil {
		return err
	}
	if asJSON {
		err = writeIndentedJSON(w, raw)
	} else {
		var sum emulator.WouldDenySummary
		if err := json.Unmarshal(raw, &sum); err != nil {
			return fmt.Errorf("admin API: would-deny: %w", err)
		}
		err = writeWouldDenyTable(w, sum)
	}
	if err != nil || !reset {
		return err
	}
	_, err = adminDo(ctx, c, http.MethodDelete, "/v1/would-deny", nil)
	return err
}

func writeWouldDenyTable(w io.Writer, sum emulator.WouldDenySummary) error {
	switch {
	case sum.Mode == emulator.PolicyAudit:
		fmt.Fprintln(w, "policy mode: audit (denials are let through; s3vpce policy-mode enforce to enforce them)")
	default:
		fmt.Fprintf(w, "policy mode: %s (denials are refused; s3vpce policy-mode audit counts them here instead)\n", sum.Mode)
	}
	if len(sum.Groups) == 0 {
		_, err := fmt.Fprintln(w, "no request would have been denied")
		return err
	}
	fmt.Fprintf(w, "requests that would have been denied: %d since %s\n\n", sum.Requests, sum.Since.Format("2006-01-02 15:04:05 MST"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COUNT\tPOLICY\tSTATEMENT\tACTION\tPRINCIPAL\tLAST REQUEST\tEXAMPLE RESOURCE")
	for _, g := range sum.Groups {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", g.Count, g.Policy, g.StatementName(), g.Action, dash(g.Principal), g.LastRequestID, g.Resource)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if sum.Dropped > 0 {
		fmt.Fprintf(w, "\n%d more would-denies were not grouped: the summary holds at most %d groups (--reset empties it)\n", sum.Dropped, emulator.MaxWouldDenyGroups)
	}
	_, err := fmt.Fprintln(w, "\ns3vpce explain REQUEST_ID shows a request's evaluation trace (the last 4096 requests are kept).")
	return err
}
