// Package hdrcheck finds header names passed to a direct header-map lookup
// that are not in canonical form, for the tests of packages that look
// request headers up without http.Header.Get's canonicalisation (a lookup
// under any other form finds nothing).
package hdrcheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// NonCanonical parses the non-test Go files of the package in dir and
// returns a description of every call to a function named in fns (the
// lookups, taking the header name as their argument argIndex) whose name
// argument is a string literal, or a constant of the package declared as
// one, that http.CanonicalHeaderKey would change. Arguments that are
// neither (a variable, an element of a slice built with
// CanonicalHeaderKey) are the caller's to keep canonical. It also returns
// how many calls it checked, so that a test can tell a check of nothing.
func NonCanonical(dir string, argIndex int, fns ...string) (bad []string, checked int, err error) {
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, 0, fmt.Errorf("hdrcheck: %w", err)
	}
	var parsed []*ast.File
	consts := map[string]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			return nil, 0, fmt.Errorf("hdrcheck: %w", err)
		}
		parsed = append(parsed, f)
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if i < len(vs.Values) {
						if v, ok := stringLit(vs.Values[i]); ok {
							consts[id.Name] = v
						}
					}
				}
			}
		}
	}
	for _, f := range parsed {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) <= argIndex {
				return true
			}
			fn, ok := call.Fun.(*ast.Ident)
			if !ok || !slices.Contains(fns, fn.Name) {
				return true
			}
			arg := call.Args[argIndex]
			name, ok := stringLit(arg)
			if id, isIdent := arg.(*ast.Ident); !ok && isIdent {
				name, ok = consts[id.Name]
			}
			if !ok {
				return true
			}
			checked++
			if c := http.CanonicalHeaderKey(name); c != name {
				bad = append(bad, fmt.Sprintf("%s: %s(…, %q): canonical form is %q", fset.Position(arg.Pos()), fn.Name, name, c))
			}
			return true
		})
	}
	return bad, checked, nil
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}
