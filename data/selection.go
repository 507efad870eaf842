package data

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// SelectOptions tune SelectFiles.
type SelectOptions struct {
	// MaxDepth bounds how deep folders nest inside a class folder
	// (0 = DefaultMaxDepth).
	MaxDepth int
	// Log, if set, receives one line per skipped entry.
	Log io.Writer
}

// Selected is one file SelectFiles chose.
type Selected struct {
	// Path is the file's path (root joined with Rel, in OS form).
	Path string `json:"-"`
	// Rel is the path below the root with "/" separators (valid UTF-8).
	Rel string `json:"path"`
	// Class indexes Selection.Classes; -1 for a file at the top level.
	Class int `json:"class"`
}

// Selection is the outcome of SelectFiles: what the loader decodes and
// the index encodes, and what neither does, with reasons.
type Selection struct {
	Root string `json:"root"`
	// Classes are the top-level folders, sorted (byte order).
	Classes []string `json:"classes"`
	// Files are the files inside class folders, by class then path.
	Files []Selected `json:"files"`
	// Top are the files at the top level (not in a class folder): the
	// loader ignores them, the index indexes them unlabelled unless the
	// folder has a class map.
	Top []Selected `json:"top"`
	// Skipped are entries that may have been meant as images but are not
	// used: unreadable files or folders, names that are not valid UTF-8,
	// symbolic-link loops, folders reached twice, folders nested too deep,
	// special files (FIFOs, devices, sockets).
	Skipped []Skip `json:"skipped"`
	// Ignored are entries not meant as images: hidden entries (".name")
	// and __MACOSX folders, at any level.
	Ignored []Skip `json:"ignored"`
}

// SelectFiles is the one file-selection rule of lsconf: LoadImageFolder
// and the index both use it, so that training and search see the same
// files of a folder. The rule:
//   - Hidden entries (".name") and __MACOSX folders are ignored at every
//     level (a top-level __MACOSX is never a class).
//   - Every top-level folder is a class; top-level files are listed apart.
//   - Symbolic links are followed (files and folders); a link back to a
//     folder being walked (a loop), or to a folder already walked, is
//     skipped; two class folders that are one folder are an error.
//   - Folders nested deeper than MaxDepth inside a class folder are skipped.
//   - Unreadable files and folders are skipped and listed, never fatal.
//   - Names that are not valid UTF-8 are skipped and listed (their path is
//     shown with \xNN escapes): records, JSON and the web keep paths as
//     text, which could not name the file again.
//   - Only regular files are selected (no FIFOs, devices or sockets);
//     whether a file is an image is decided by its content when it is read
//     (ReadFileCapped, then decoding), not by its name.
//
// Errors: root missing, not a folder or unreadable, two class folders that
// are the same folder.
func SelectFiles(root string, opts SelectOptions) (*Selection, error) {
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = DefaultMaxDepth
	}
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", root, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s: not a folder (want one sub-folder per class)", root)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", root, err)
	}
	sel := &Selection{Root: root}
	w := &walker{opts: opts, sel: sel}
	var classSt []os.FileInfo
	for _, e := range entries { // ReadDir sorts by name
		name := e.Name()
		if ignoredName(name) {
			sel.Ignored = append(sel.Ignored, Skip{name, "hidden"})
			continue
		}
		if !utf8.ValidString(name) {
			w.skip(escapeName(name), "name is not valid UTF-8 (rename it)")
			continue
		}
		p := filepath.Join(root, name)
		st, err := os.Stat(p) // follows links
		if err != nil {
			w.skip(name, "unreadable: "+err.Error())
			continue
		}
		switch {
		case st.IsDir():
			sel.Classes = append(sel.Classes, name)
			classSt = append(classSt, st)
		case st.Mode().IsRegular():
			sel.Top = append(sel.Top, Selected{Path: p, Rel: name, Class: -1})
		default:
			w.skip(name, "not a regular file")
		}
	}
	sort.Strings(sel.Classes) // already sorted; kept explicit
	// The root and every class folder count as walked from the start, so
	// that a link from one class folder to the root or to another class
	// folder can never give that folder's images this class's label.
	w.visited = append(w.visited, fi)
	for c, name := range sel.Classes {
		for d := 0; d < c; d++ {
			if os.SameFile(classSt[c], classSt[d]) {
				return sel, fmt.Errorf("%s: class folders %s and %s are the same folder (a symbolic link): its images cannot have two labels", root, sel.Classes[d], name)
			}
		}
		w.visited = append(w.visited, classSt[c])
	}
	for c, name := range sel.Classes {
		w.walk(filepath.Join(root, name), name, c, 0, []os.FileInfo{fi, classSt[c]})
	}
	return sel, nil
}

// walker collects the files of class folders.
type walker struct {
	opts    SelectOptions
	sel     *Selection
	visited []os.FileInfo // every folder walked, to catch links to them
}

func (w *walker) skip(rel, reason string) {
	w.sel.Skipped = append(w.sel.Skipped, Skip{rel, reason})
	if w.opts.Log != nil {
		fmt.Fprintf(w.opts.Log, "skip %s: %s\n", rel, reason)
	}
}

// walk collects the files under dir (sorted) for class c.
func (w *walker) walk(dir, rel string, c, depth int, stack []os.FileInfo) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.skip(rel, "unreadable folder: "+err.Error())
		return
	}
	for _, e := range entries { // ReadDir sorts by name
		name := e.Name()
		p := filepath.Join(dir, name)
		r := rel + "/" + name
		if ignoredName(name) {
			w.sel.Ignored = append(w.sel.Ignored, Skip{escapeName(r), "hidden"})
			continue
		}
		if !utf8.ValidString(name) {
			w.skip(escapeName(r), "name is not valid UTF-8 (rename it)")
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			w.skip(r, "unreadable: "+err.Error())
			continue
		}
		if st.IsDir() {
			switch {
			case loopsBack(st, stack):
				w.skip(r, "symbolic link loop (links back to a folder that contains it)")
			case loopsBack(st, w.visited):
				w.skip(r, "folder already loaded through another path (symbolic link)")
			case depth+1 > w.opts.MaxDepth:
				w.skip(r, fmt.Sprintf("folder nested deeper than %d levels", w.opts.MaxDepth))
			default:
				w.visited = append(w.visited, st)
				w.walk(p, r, c, depth+1, append(stack, st))
			}
			continue
		}
		if !st.Mode().IsRegular() {
			w.skip(r, "not a regular file")
			continue
		}
		w.sel.Files = append(w.sel.Files, Selected{Path: p, Rel: r, Class: c})
	}
}

func loopsBack(st os.FileInfo, list []os.FileInfo) bool {
	for _, a := range list {
		if os.SameFile(st, a) {
			return true
		}
	}
	return false
}

// ignoredName reports whether an entry is never meant as an image or a
// class: hidden (".name") or a macOS archive's __MACOSX folder.
func ignoredName(name string) bool {
	return isHidden(name) || name == "__MACOSX"
}

// isHidden reports whether a name is hidden (".name").
func isHidden(name string) bool { return strings.HasPrefix(name, ".") }

// escapeName shows a name that is not valid UTF-8 with its invalid bytes
// as \xNN, so that it can be printed and put in JSON without loss of
// what the user needs to find it.
func escapeName(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// ErrNotRegular is returned (wrapped) by ReadFileCapped for a path that is
// not a regular file (a FIFO, a device, a socket, a folder).
var ErrNotRegular = fmt.Errorf("not a regular file")

// ErrTooLarge is returned (wrapped) by ReadFileCapped for a file over the
// size limit.
var ErrTooLarge = fmt.Errorf("file too large")

// ReadFileCapped reads a whole regular file of at most maxBytes bytes
// (0 = DefaultMaxFileBytes). It never blocks on a FIFO or reads a device:
// the file is opened without waiting for a writer and refused unless it
// is regular; a file over the limit is refused before it is read, and a
// file that grows past it while read is refused too.
func ReadFileCapped(path string, maxBytes int64) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxFileBytes
	}
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > maxBytes {
		return nil, fmt.Errorf("%s: %w: %d bytes, the limit is %d", path, ErrTooLarge, st.Size(), maxBytes)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > maxBytes {
		return nil, fmt.Errorf("%s: %w: over the limit of %d bytes", path, ErrTooLarge, maxBytes)
	}
	return b, nil
}

// OpenFileCapped opens a regular file of at most maxBytes (0 =
// DefaultMaxFileBytes) for reading, for callers that stream it instead of
// holding it (ReadFileCapped's checks without the read). The caller closes
// the file.
func OpenFileCapped(path string, maxBytes int64) (*os.File, os.FileInfo, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxFileBytes
	}
	f, err := openRegular(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if st.Size() > maxBytes {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w: %d bytes, the limit is %d", path, ErrTooLarge, st.Size(), maxBytes)
	}
	return f, st, nil
}

// openRegular opens a file for reading if it is a regular file.
func openRegular(path string) (*os.File, error) {
	f, err := openNoBlock(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	return f, nil
}
