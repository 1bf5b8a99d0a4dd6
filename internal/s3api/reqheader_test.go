package s3api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestReqHeaderNamesCanonical parses the package and checks that every
// header name reaching reqHeader, a map lookup that does not canonicalise,
// is in canonical form: a literal, a constant or a concatenation of them,
// followed through the parameters of the functions that pass a name on
// (parseTimeHeader, copyDirective, closures), through locals and ranges
// over a []string literal, plus the two computed forms the checker knows
// (sseCHeader, the aclGrantHeaders table). A name it cannot resolve fails
// the test too, so a new lookup is either checkable or added here.
func TestReqHeaderNamesCanonical(t *testing.T) {
	t.Run("package", func(t *testing.T) {
		fset := token.NewFileSet()
		paths, err := filepath.Glob("*.go")
		if err != nil {
			t.Fatal(err)
		}
		var files []*ast.File
		for _, p := range paths {
			if strings.HasSuffix(p, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				t.Fatalf("parse %s: %v", p, err)
			}
			files = append(files, f)
		}
		checked, problems := checkHeaderNames(fset, files)
		for _, p := range problems {
			t.Error(p)
		}
		if checked < 40 {
			t.Errorf("checked %d header names, want at least 40 (is the checker finding the calls?)", checked)
		}
	})
	// setRequestHeaders indexes the request's header map by these names.
	t.Run("tables indexed directly", func(t *testing.T) {
		for _, name := range append(slices.Clone(objectStandardHeaders), objectAmzHeaders...) {
			if c := http.CanonicalHeaderKey(name); c != name {
				t.Errorf("header name %q is not canonical, want %q", name, c)
			}
		}
	})
	bad := []struct{ name, src string }{
		{"lower-case literal", `func f(h http.Header) string { return reqHeader(h, "x-amz-acl") }`},
		{"constant", `const n = "X-AMZ-ACL"; func f(h http.Header) string { return reqHeader(h, n) }`},
		{"concatenation", `const p = "X-Amz-"; func f(h http.Header) string { return reqHeader(h, p+"acl") }`},
		{"through a parameter", `func g(h http.Header, n string) string { return reqHeader(h, n) }; func f(h http.Header) string { return g(h, "content-md5") }`},
		{"through a closure", `func f(h http.Header) string { get := func(n string) string { return reqHeader(h, n) }; return get("etag") }`},
		{"range over a literal", `func f(h http.Header) { for _, k := range []string{"If-Match", "if-none-match"} { _ = reqHeader(h, k) } }`},
		{"unresolvable", `func f(h http.Header, m map[string]string) string { return reqHeader(h, m["x"]) }`},
	}
	for _, tc := range bad {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "bad.go", "package s3api\n"+tc.src, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, problems := checkHeaderNames(fset, []*ast.File{f}); len(problems) == 0 {
				t.Errorf("no problem reported for %s", tc.src)
			}
		})
	}
}

// TestReqHeaderAnyCase checks that a request header sent in any case
// reaches reqHeader: net/http canonicalises the names it reads.
func TestReqHeaderAnyCase(t *testing.T) {
	for _, sent := range []string{"x-amz-acl", "X-AMZ-ACL", "X-Amz-Acl"} {
		t.Run(sent, func(t *testing.T) {
			h := http.Header{}
			h.Add(sent, "private")
			if got := reqHeader(h, "X-Amz-Acl"); got != "private" {
				t.Errorf("reqHeader = %q, want private", got)
			}
		})
	}
}

// checkHeaderNames returns how many names reaching reqHeader it checked
// and a line for each that is not canonical or cannot be resolved.
func checkHeaderNames(fset *token.FileSet, files []*ast.File) (checked int, problems []string) {
	consts := map[string][]string{}
	type site struct {
		call *ast.CallExpr
		path []ast.Node
	}
	var sites []site
	for pass := 0; pass < 3; pass++ { // constants defined from constants
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				if vs, ok := n.(*ast.ValueSpec); ok {
					for i, name := range vs.Names {
						if i < len(vs.Values) {
							if v, ok := evalConst(vs.Values[i], consts); ok {
								consts[name.Name] = v
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
						delete(consts, name.Name)
					}
				}
			}
			return true
		})
	}
	for _, f := range files {
		var path []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil {
				path = path[:len(path)-1]
				return true
			}
			if c, ok := n.(*ast.CallExpr); ok {
				sites = append(sites, site{c, append([]ast.Node(nil), path...)})
			}
			path = append(path, n)
			return true
		})
	}
	type target struct {
		fn  string
		arg int
	}
	seen := map[target]bool{{"reqHeader", 1}: true}
	work := []target{{"reqHeader", 1}}
	for len(work) > 0 {
		tg := work[0]
		work = work[1:]
		for _, s := range sites {
			if calleeName(s.call) != tg.fn || tg.arg >= len(s.call.Args) {
				continue
			}
			names, fwd, ok := resolveName(s.call.Args[tg.arg], s.path, consts)
			pos := fset.Position(s.call.Pos())
			switch {
			case fwd != nil:
				if t := (target{fwd.fn, fwd.arg}); !seen[t] {
					seen[t] = true
					work = append(work, t)
				}
			case !ok:
				problems = append(problems, pos.String()+": cannot resolve the header name passed to "+tg.fn)
			default:
				for _, name := range names {
					checked++
					if c := http.CanonicalHeaderKey(name); c != name {
						problems = append(problems, pos.String()+": header name "+strconv.Quote(name)+" passed to "+tg.fn+" is not canonical, want "+strconv.Quote(c))
					}
				}
			}
		}
	}
	return checked, problems
}

// forward is a parameter a name comes from: argument arg of calls to fn.
type forward struct {
	fn  string
	arg int
}

// resolveName is the names e can hold, or the parameter it comes from.
func resolveName(e ast.Expr, path []ast.Node, consts map[string][]string) ([]string, *forward, bool) {
	if v, ok := evalConst(e, consts); ok {
		return v, nil, true
	}
	switch e := e.(type) {
	case *ast.Ident:
		for i := len(path) - 1; i >= 0; i-- {
			switch n := path[i].(type) {
			case *ast.RangeStmt:
				if id, ok := n.Value.(*ast.Ident); ok && id.Name == e.Name {
					lit, ok := n.X.(*ast.CompositeLit)
					if !ok {
						return nil, nil, false
					}
					var all []string
					for _, elt := range lit.Elts {
						v, ok := evalConst(elt, consts)
						if !ok {
							return nil, nil, false
						}
						all = append(all, v...)
					}
					return all, nil, true
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
								return resolveName(as.Rhs[j], path[:i+1], consts)
							}
						}
					}
				}
			case *ast.FuncLit, *ast.FuncDecl:
				if idx, ok := paramIndex(n, e.Name); ok {
					fn := enclosingName(n, path[:i])
					if fn == "" {
						return nil, nil, false
					}
					return nil, &forward{fn, idx}, true
				}
			}
		}
	case *ast.CallExpr:
		if calleeName(e) == "sseCHeader" && len(e.Args) == 2 {
			v, ok := evalConst(e.Args[1], consts)
			if !ok {
				return nil, nil, false
			}
			var all []string
			for _, name := range v {
				all = append(all, sseCHeader("", name), sseCHeader(copySourcePrefix, name))
			}
			return all, nil, true
		}
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok && x.Name == "hp" && e.Sel.Name == "header" {
			var all []string
			for _, hp := range aclGrantHeaders {
				all = append(all, hp.header)
			}
			return all, nil, true
		}
	}
	return nil, nil, false
}

// evalConst is the string value(s) of a literal, constant or + of them.
func evalConst(e ast.Expr, consts map[string][]string) ([]string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return nil, false
		}
		s, err := strconv.Unquote(e.Value)
		return []string{s}, err == nil
	case *ast.Ident:
		v, ok := consts[e.Name]
		return v, ok
	case *ast.ParenExpr:
		return evalConst(e.X, consts)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return nil, false
		}
		l, ok1 := evalConst(e.X, consts)
		r, ok2 := evalConst(e.Y, consts)
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
