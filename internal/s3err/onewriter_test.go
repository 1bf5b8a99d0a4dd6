package s3err_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOneErrorWriter: no Go code outside this package builds an S3 error
// body. It looks, in every non-test file of the module, for the marks of
// one: an XML type whose root element is <Error>, and an "<Error>" string
// literal.
func TestOneErrorWriter(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || filepath.Dir(path) == "." ||
			filepath.Base(filepath.Dir(path)) == "s3err" {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Field:
				// <Error> as a document's root element (XMLName), not as an
				// element inside another document (DeleteResult's errors).
				if len(n.Names) == 1 && n.Names[0].Name == "XMLName" && n.Tag != nil && strings.Contains(n.Tag.Value, `xml:"Error"`) {
					t.Errorf("%s: an XML type rooted at <Error>: use s3err.Error", fset.Position(n.Pos()))
				}
				return false
			case *ast.BasicLit:
				if n.Kind != token.STRING {
					return true
				}
				s, _ := strconv.Unquote(n.Value)
				if strings.Contains(s, "<Error>") {
					t.Errorf("%s: builds an S3 error body (%s): use s3err.Write", fset.Position(n.Pos()), n.Value)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
