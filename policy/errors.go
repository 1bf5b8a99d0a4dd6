package policy

import (
	"fmt"
	"strings"
)

// ParseError is the error returned by [Parse] and [Validate], and each error
// and warning of [ValidateAll]: what is wrong, and where.
type ParseError struct {
	// Statement is the 0-based index of the statement, or -1 for the
	// top level of the document.
	Statement int
	// Sid is the statement's Sid, "" when it has none (or for the top level).
	Sid string
	// Field is the policy element, e.g. "Condition" or "Version"; "" when the
	// error is about the document as a whole.
	Field string
	// Line and Col locate the offending JSON value (1-based, columns in
	// characters); 0 when not known (e.g. from Policy.Validate).
	Line, Col int
	// Msg says what is wrong.
	Msg string

	off int // byte offset, converted to Line/Col by Parse
}

// Error renders the error, for example:
//
//	policy: statement 2 (Sid "DenyPut"): field Condition: unknown operator "StringEqualz" at line 14, column 9
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("policy: ")
	if e.Statement >= 0 {
		fmt.Fprintf(&b, "statement %d", e.Statement)
		if e.Sid != "" {
			fmt.Fprintf(&b, " (Sid %q)", e.Sid)
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		fmt.Fprintf(&b, "field %s: ", e.Field)
	}
	b.WriteString(e.Msg)
	if e.Line > 0 {
		fmt.Fprintf(&b, " at line %d, column %d", e.Line, e.Col)
	}
	return b.String()
}
