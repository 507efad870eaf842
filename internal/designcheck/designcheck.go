package designcheck

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Module is lsconf's module path.
const Module = "github.com/lsconf/lsconf"

// Externals maps the external group names the table may use to the import
// path prefixes they allow.
var Externals = map[string][]string{
	"GoMLX":      {"github.com/gomlx/gomlx", "github.com/gomlx/compute", "github.com/gomlx/go-xla"},
	"x/image":    {"golang.org/x/image"},
	"gonum/plot": {"gonum.org/v1/plot"},
	"SQLite":     {"modernc.org/sqlite"},
	"cobra":      {"github.com/spf13/cobra", "github.com/spf13/pflag"},
}

// Row is one row of the package table: the packages it describes (relative
// to Module) and what they may import.
type Row struct {
	Packages []string
	// Allowed are lsconf packages (relative to Module).
	Allowed map[string]bool
	// Everything allows any lsconf package.
	Everything bool
	// External are import path prefixes outside lsconf and the stdlib.
	External []string
}

// ParseTable reads the first Markdown table after the heading that starts
// with "## Packages" and returns its rows.
func ParseTable(r io.Reader) ([]Row, error) {
	sc := bufio.NewScanner(r)
	inSection, inTable := false, false
	var rows []Row
	var above []string
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "## "):
			if inTable {
				return rows, nil
			}
			inSection = strings.HasPrefix(line, "## Packages")
			continue
		case !inSection:
			continue
		case !strings.HasPrefix(line, "|"):
			if inTable {
				return rows, nil
			}
			continue
		}
		inTable = true
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) < 3 {
			return nil, fmt.Errorf("package table row %q: want 3 columns", line)
		}
		first := strings.TrimSpace(cells[0])
		if first == "package" || strings.HasPrefix(first, "---") {
			continue
		}
		pkgs := backquoted(first)
		if len(pkgs) == 0 {
			return nil, fmt.Errorf("package table row %q: no `package` in the first column", line)
		}
		row := Row{Packages: pkgs, Allowed: map[string]bool{}}
		for _, item := range strings.Split(cells[len(cells)-1], ",") {
			item = strings.TrimSpace(item)
			switch {
			case item == "stdlib":
			case item == "everything":
				row.Everything = true
			case item == "everything above":
				for _, p := range above {
					row.Allowed[p] = true
				}
			case strings.HasPrefix(item, "`") && strings.HasSuffix(item, "`") && len(item) > 2:
				row.Allowed[strings.Trim(item, "`")] = true
			default:
				prefixes, ok := Externals[item]
				if !ok {
					return nil, fmt.Errorf("package table row %s: unknown \"may import\" entry %q", first, item)
				}
				row.External = append(row.External, prefixes...)
			}
		}
		rows = append(rows, row)
		above = append(above, pkgs...)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no package table under a \"## Packages\" heading")
	}
	return rows, nil
}

func backquoted(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "`")
		if i < 0 {
			return out
		}
		j := strings.Index(s[i+1:], "`")
		if j < 0 {
			return out
		}
		out = append(out, s[i+1:i+1+j])
		s = s[i+2+j:]
	}
}

// Violations returns one message per lsconf package missing from the
// table and per import outside its row. imports maps a package (relative to
// Module) to its import paths (full).
func Violations(rows []Row, imports map[string][]string) []string {
	byPkg := map[string]*Row{}
	for i := range rows {
		for _, p := range rows[i].Packages {
			byPkg[p] = &rows[i]
		}
	}
	var out []string
	for pkg, imps := range imports {
		row := byPkg[pkg]
		if row == nil {
			out = append(out, fmt.Sprintf("package %s has no row in docs/DESIGN.md's package table", pkg))
			continue
		}
		for _, imp := range imps {
			if !row.allows(imp) {
				out = append(out, fmt.Sprintf("package %s imports %s, which its row in docs/DESIGN.md does not allow", pkg, imp))
			}
		}
	}
	sort.Strings(out)
	return out
}

func (r *Row) allows(imp string) bool {
	if rel, ok := strings.CutPrefix(imp, Module+"/"); ok {
		return r.Everything || r.Allowed[rel]
	}
	if first, _, _ := strings.Cut(imp, "/"); !strings.Contains(first, ".") {
		return true // the standard library
	}
	for _, p := range r.External {
		if imp == p || strings.HasPrefix(imp, p+"/") {
			return true
		}
	}
	return false
}
