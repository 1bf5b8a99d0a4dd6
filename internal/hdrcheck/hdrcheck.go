// Package hdrcheck checks that the header names a package passes to a
// header lookup that does not canonicalise (a direct header-map index) are
// in canonical form: a lookup under any other form finds nothing. It is
// for the tests of such packages.
//
// The checker follows a name to where it is written: a string literal, a
// constant, a concatenation of them, a local variable, the value of a range
// over a []string literal, the parameter of a function or closure that
// passes the name on (then every call of that function is checked), or a
// call of http.CanonicalHeaderKey (canonical by construction). A package's
// own computed forms are resolved by the caller's Options.Resolve. A name
// it cannot resolve is a problem too, so a new lookup is either checkable
// or taught to the checker.
package hdrcheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Options says which calls to check and how to resolve a package's own
// computed header names.
type Options struct {
	// Lookups maps the name of each function that looks a header up
	// without canonicalising to the index of its header-name argument.
	// Calls are matched by name, as f(…) or x.f(…).
	Lookups map[string]int
	// Resolve, if set, is asked for the names an expression can hold when
	// the checker cannot resolve it itself (a call of a package function
	// that builds a name, an element of a package's table). eval resolves
	// a sub-expression that is a literal, constant or concatenation of
	// them. ok false leaves the expression unresolved.
	Resolve func(e ast.Expr, eval func(ast.Expr) ([]string, bool)) (names []string, ok bool)
}

// Assert checks the package in dir (Check) and fails tb for each problem,
// or if it checked fewer than atLeast names: a check of nothing fails.
func Assert(tb testing.TB, dir string, atLeast int, o Options) {
	tb.Helper()
	checked, problems, err := Check(dir, o)
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range problems {
		tb.Error(p)
	}
	if checked < atLeast {
		tb.Errorf("checked %d header names, want at least %d (is the checker finding the calls?)", checked, atLeast)
	}
}

// Check parses the non-test Go files of the package in dir and checks them
// as CheckFiles does.
func Check(dir string, o Options) (checked int, problems []string, err error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return 0, nil, fmt.Errorf("hdrcheck: %w", err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return 0, nil, fmt.Errorf("hdrcheck: parse %s: %w", p, err)
		}
		files = append(files, f)
	}
	checked, problems = CheckFiles(fset, files, o)
	return checked, problems, nil
}

// CheckFiles returns how many header names reaching the lookups of o it
// checked, and a line for each that is not canonical or cannot be resolved.
func CheckFiles(fset *token.FileSet, files []*ast.File, o Options) (checked int, problems []string) {
	c := checker{consts: map[string][]string{}, resolve: o.Resolve}
	for pass := 0; pass < 3; pass++ { // constants defined from constants
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				if vs, ok := n.(*ast.ValueSpec); ok {
					for i, name := range vs.Names {
						if i < len(vs.Values) {
							if v, ok := c.evalConst(vs.Values[i]); ok {
								c.consts[name.Name] = v
							}
						}
					}
				}
				return true
			})
		}
	}
	// Only constants (not var specs) may stand for a name: drop vars.
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if gd, ok := n.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				for _, s := range gd.Specs {
					for _, name := range s.(*ast.ValueSpec).Names {
						delete(c.consts, name.Name)
					}
				}
			}
			return true
		})
	}
	type site struct {
		call *ast.CallExpr
		path []ast.Node
	}
	var sites []site
	for _, f := range files {
		var path []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil {
				path = path[:len(path)-1]
				return true
			}
			if call, ok := n.(*ast.CallExpr); ok {
				sites = append(sites, site{call, append([]ast.Node(nil), path...)})
			}
			path = append(path, n)
			return true
		})
	}
	seen := map[forward]bool{}
	var work []forward
	for fn, arg := range o.Lookups {
		seen[forward{fn, arg}] = true
		work = append(work, forward{fn, arg})
	}
	for len(work) > 0 {
		tg := work[0]
		work = work[1:]
		for _, s := range sites {
			if calleeName(s.call) != tg.fn || tg.arg >= len(s.call.Args) {
				continue
			}
			r, ok := c.resolveName(s.call.Args[tg.arg], s.path)
			pos := fset.Position(s.call.Pos())
			switch {
			case !ok:
				problems = append(problems, pos.String()+": cannot resolve the header name passed to "+tg.fn)
			case r.fwd != nil:
				if !seen[*r.fwd] {
					seen[*r.fwd] = true
					work = append(work, *r.fwd)
				}
			case r.canonical:
				checked++
			default:
				for _, name := range r.names {
					checked++
					if cn := http.CanonicalHeaderKey(name); cn != name {
						problems = append(problems, pos.String()+": header name "+strconv.Quote(name)+" passed to "+tg.fn+" is not canonical, want "+strconv.Quote(cn))
					}
				}
			}
		}
	}
	return checked, problems
}

type checker struct {
	consts  map[string][]string
	resolve func(ast.Expr, func(ast.Expr) ([]string, bool)) ([]string, bool)
}

// forward is a parameter a name comes from: argument arg of calls to fn.
type forward struct {
	fn  string
	arg int
}

// resolved is what a name expression holds: names, a parameter it comes
// from, or a value canonical by construction.
type resolved struct {
	names     []string
	fwd       *forward
	canonical bool
}

// resolveName is what e can hold, given the nodes enclosing it.
func (c *checker) resolveName(e ast.Expr, path []ast.Node) (resolved, bool) {
	if v, ok := c.evalConst(e); ok {
		return resolved{names: v}, true
	}
	switch e := e.(type) {
	case *ast.Ident:
		for i := len(path) - 1; i >= 0; i-- {
			switch n := path[i].(type) {
			case *ast.RangeStmt:
				if id, ok := n.Value.(*ast.Ident); ok && id.Name == e.Name {
					lit, ok := n.X.(*ast.CompositeLit)
					if !ok {
						return resolved{}, false
					}
					var all []string
					for _, elt := range lit.Elts {
						v, ok := c.evalConst(elt)
						if !ok {
							return resolved{}, false
						}
						all = append(all, v...)
					}
					return resolved{names: all}, true
				}
			case *ast.BlockStmt:
				for _, st := range n.List {
					as, ok := st.(*ast.AssignStmt)
					if !ok || as.Tok != token.DEFINE || len(as.Lhs) != len(as.Rhs) {
						continue
					}
					for j, l := range as.Lhs {
						if id, ok := l.(*ast.Ident); ok && id.Name == e.Name {
							if _, isFunc := as.Rhs[j].(*ast.FuncLit); !isFunc {
								return c.resolveName(as.Rhs[j], path[:i+1])
							}
						}
					}
				}
			case *ast.FuncLit, *ast.FuncDecl:
				if idx, ok := paramIndex(n, e.Name); ok {
					fn := enclosingName(n, path[:i])
					if fn == "" {
						return resolved{}, false
					}
					return resolved{fwd: &forward{fn, idx}}, true
				}
			}
		}
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "CanonicalHeaderKey" {
			if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "http" {
				return resolved{canonical: true}, true
			}
		}
	}
	if c.resolve != nil {
		if v, ok := c.resolve(e, c.evalConst); ok {
			return resolved{names: v}, true
		}
	}
	return resolved{}, false
}

// evalConst is the string value(s) of a literal, constant or + of them.
func (c *checker) evalConst(e ast.Expr) ([]string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return nil, false
		}
		s, err := strconv.Unquote(e.Value)
		return []string{s}, err == nil
	case *ast.Ident:
		v, ok := c.consts[e.Name]
		return v, ok
	case *ast.ParenExpr:
		return c.evalConst(e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return nil, false
		}
		l, ok1 := c.evalConst(e.X)
		r, ok2 := c.evalConst(e.Y)
		if !ok1 || !ok2 {
			return nil, false
		}
		var all []string
		for _, a := range l {
			for _, b := range r {
				all = append(all, a+b)
			}
		}
		return all, true
	}
	return nil, false
}

// calleeName is the name a call calls: f(…) or x.f(…).
func calleeName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

// paramIndex is the position of parameter name in fn's signature.
func paramIndex(fn ast.Node, name string) (int, bool) {
	var ft *ast.FuncType
	switch f := fn.(type) {
	case *ast.FuncLit:
		ft = f.Type
	case *ast.FuncDecl:
		ft = f.Type
	}
	i := 0
	for _, field := range ft.Params.List {
		if len(field.Names) == 0 {
			i++
		}
		for _, n := range field.Names {
			if n.Name == name {
				return i, true
			}
			i++
		}
	}
	return 0, false
}

// enclosingName is the name a function is called by: its declared name,
// or the variable a function literal is assigned to.
func enclosingName(fn ast.Node, parents []ast.Node) string {
	if d, ok := fn.(*ast.FuncDecl); ok {
		return d.Name.Name
	}
	if len(parents) == 0 {
		return ""
	}
	if as, ok := parents[len(parents)-1].(*ast.AssignStmt); ok {
		for j, r := range as.Rhs {
			if r == fn && j < len(as.Lhs) {
				if id, ok := as.Lhs[j].(*ast.Ident); ok {
					return id.Name
				}
			}
		}
	}
	return ""
}
