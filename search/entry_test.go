package search

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneEntryPoint: every query kind reaches the ranking through
// Searcher.Run. It fails when search exports a function or method that
// takes or returns a Query (a second way to build or rank one), and when
// code outside search (the CLI, web, demo, repro, ...) writes a
// search.Query literal instead of taking Run's.
func TestOneEntryPoint(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	mentionsQuery := func(fl *ast.FieldList) bool {
		found := false
		if fl == nil {
			return false
		}
		ast.Inspect(fl, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && id.Name == "Query" {
				found = true
			}
			return true
		})
		return found
	}
	checked := 0
	for _, p := range pkgs {
		for name, f := range p.Files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || !fd.Name.IsExported() {
					continue
				}
				checked++
				if mentionsQuery(fd.Type.Params) || mentionsQuery(fd.Type.Results) {
					t.Errorf("%s: exported %s takes or returns a Query: queries are built and ranked only by Searcher.Run", name, fd.Name.Name)
				}
			}
		}
	}
	if checked < 20 {
		t.Fatalf("checked %d exported functions of package search; the parse found too few", checked)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == "search" || rel == "third_party" || strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		files++
		ast.Inspect(f, func(n ast.Node) bool {
			cl, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if se, ok := cl.Type.(*ast.SelectorExpr); ok && se.Sel.Name == "Query" {
				if x, ok := se.X.(*ast.Ident); ok && x.Name == "search" {
					t.Errorf("%s: %s builds a search.Query itself; take the query of search.Searcher.Run's Response", rel, fset.Position(cl.Pos()))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("walked %d Go files outside search; the walk found too few", files)
	}
}
