package document

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoQualifiedFigureNames: a rename once turned "Table 2" and
// "Figure 6" in report strings into "document.Table 2" and
// "document.Figure 6". No string literal of lsconf's Go code (reports,
// verdicts, help) may name a paper table or figure that way.
func TestNoQualifiedFigureNames(t *testing.T) {
	bad := regexp.MustCompile(`document\.(Table|Figure|Fig)s? [0-9]`)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	strs := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "third_party" || strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				strs++
				if bad.MatchString(lit.Value) {
					t.Errorf("%s: %s", fset.Position(lit.Pos()), lit.Value)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strs < 1000 {
		t.Fatalf("read %d string literals; the walk found too few", strs)
	}
}

// TestNoIssueNumbers: code, help and docs cite no issue numbers ("issue
// 15"): they say what was decided, not which ticket asked for it. It
// reads README.md, every Markdown and HTML file under docs/ and every Go
// file (comments and strings) outside third_party.
func TestNoIssueNumbers(t *testing.T) {
	bad := regexp.MustCompile(`(?i)\bissues? #?[0-9]+\b`)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "third_party" || strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		ext := filepath.Ext(path)
		if ext != ".go" && !(strings.HasPrefix(rel, "docs"+string(filepath.Separator)) && (ext == ".md" || ext == ".html")) && rel != "README.md" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for i, line := range strings.Split(string(b), "\n") {
			if m := bad.FindString(line); m != "" {
				t.Errorf("%s:%d cites %q", rel, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("read %d files; the walk found too few", files)
	}
}

// TestLibraryErrorsNameNoFlags: a library error states the condition;
// the CLI (cmd/lsconf's advice table) adds the flag that resolves it. No
// errors.New or fmt.Errorf message outside cmd/ names a command-line flag.
func TestLibraryErrorsNameNoFlags(t *testing.T) {
	flag := regexp.MustCompile(`(^|[^-\w])--[a-z]`)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	calls := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if d.Name() == "third_party" || rel == "cmd" || strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok || !(pkg.Name == "errors" && sel.Sel.Name == "New" || pkg.Name == "fmt" && sel.Sel.Name == "Errorf") {
				return true
			}
			calls++
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && flag.MatchString(lit.Value) {
				t.Errorf("%s: %s", fset.Position(lit.Pos()), lit.Value)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 300 {
		t.Fatalf("read %d error calls; the walk found too few", calls)
	}
}
