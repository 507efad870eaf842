package designcheck

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goList returns the non-test imports of every lsconf package built with
// the given tags.
func goList(t *testing.T, root string, tags string) map[string][]string {
	t.Helper()
	args := []string{"list", "-e", "-json"}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.Command("go", append(args, "./...")...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	imports := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel, ok := strings.CutPrefix(p.ImportPath, Module+"/")
		if !ok {
			t.Fatalf("go list: %s is outside %s", p.ImportPath, Module)
		}
		imports[rel] = p.Imports
	}
	return imports
}

func TestDesignTableMatchesImports(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(root, "docs", "DESIGN.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := ParseTable(f)
	if err != nil {
		t.Fatalf("docs/DESIGN.md: %v", err)
	}
	for _, tags := range []string{"", "xla"} {
		imports := goList(t, root, tags)
		if len(imports) < 10 {
			t.Fatalf("go list found only %d packages", len(imports))
		}
		for _, v := range Violations(rows, imports) {
			t.Errorf("tags %q: %s", tags, v)
		}
	}
}

const synthetic = `# x
## Packages (data flows one way)

| package | holds | may import |
|---|---|---|
| ` + "`latent`" + ` | math | stdlib |
| ` + "`model`, `model/sub`" + ` | graphs | ` + "`latent`" + `, GoMLX |
| ` + "`report`" + ` | reports | everything above |
| ` + "`cmd/x`" + ` | the CLI | everything, cobra |

No package imports one below it.
`

// TestViolationsCatchForbiddenImports shows the check failing: an import
// back up the chain, an external module outside the row, a package without
// a row.
func TestViolationsCatchForbiddenImports(t *testing.T) {
	rows, err := ParseTable(strings.NewReader(synthetic))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("parsed %d rows, want 4", len(rows))
	}
	ok := map[string][]string{
		"latent":    {"math", "sort"},
		"model":     {"fmt", Module + "/latent", "github.com/gomlx/gomlx/core/graph"},
		"model/sub": {Module + "/latent"},
		"report":    {Module + "/latent", Module + "/model/sub"},
		"cmd/x":     {Module + "/report", "github.com/spf13/cobra"},
	}
	if v := Violations(rows, ok); len(v) != 0 {
		t.Fatalf("allowed imports reported: %q", v)
	}
	bad := map[string][]string{
		"latent":  {Module + "/model"},                           // back up the chain
		"model":   {"gonum.org/v1/plot"},                         // external outside the row
		"report":  {Module + "/cmd/x", "github.com/spf13/cobra"}, // below it; not named
		"newpack": {"fmt"},                                       // no row
	}
	v := Violations(rows, bad)
	want := []string{
		"package latent imports " + Module + "/model",
		"package model imports gonum.org/v1/plot",
		"package newpack has no row",
		"package report imports " + Module + "/cmd/x",
		"package report imports github.com/spf13/cobra",
	}
	if len(v) != len(want) {
		t.Fatalf("got %d violations, want %d: %q", len(v), len(want), v)
	}
	for i := range want {
		if !strings.HasPrefix(v[i], want[i]) {
			t.Errorf("violation %d = %q, want prefix %q", i, v[i], want[i])
		}
	}
}

func TestParseTableRefusesUnknownEntry(t *testing.T) {
	doc := strings.Replace(synthetic, "GoMLX", "numpy", 1)
	if _, err := ParseTable(strings.NewReader(doc)); err == nil || !strings.Contains(err.Error(), "numpy") {
		t.Fatalf("err = %v, want one naming the unknown entry", err)
	}
}
