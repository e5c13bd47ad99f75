package main

// .helmignore rules, as Helm 3's pkg/ignore reads them: one shell glob a line, "#" comments,
// "!" negates, a trailing "/" matches only directories, a leading "/" or any "/" matches the
// path from the chart root, otherwise the base name; "**" is an error. Helm adds
// "templates/.?*" so hidden files under templates/ are never rendered.

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
)

type ignoreRule struct {
	pattern string
	negate  bool
	mustDir bool
	full    bool // match the whole path rather than the base name
}

type ignoreRules []ignoreRule

// loadIgnoreRules reads dir/.helmignore when there is one and adds Helm's default rule.
func loadIgnoreRules(dir string) (ignoreRules, error) {
	var rules ignoreRules
	data, err := os.ReadFile(filepath.Join(dir, ".helmignore"))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if err := rules.add(sc.Text()); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return rules, rules.add("templates/.?*")
}

func (r *ignoreRules) add(line string) error {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return nil
	}
	if strings.Contains(line, "**") {
		return errors.New("double-star (**) syntax is not supported")
	}
	if _, err := filepath.Match(line, "abc"); err != nil {
		return err
	}
	rule := ignoreRule{}
	if strings.HasPrefix(line, "!") {
		rule.negate = true
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		rule.mustDir = true
		line = strings.TrimSuffix(line, "/")
	}
	rule.full = strings.Contains(line, "/")
	rule.pattern = strings.TrimPrefix(line, "/")
	*r = append(*r, rule)
	return nil
}

func (rule ignoreRule) match(path string) bool {
	name := path
	if !rule.full {
		name = filepath.Base(path)
	}
	ok, _ := filepath.Match(rule.pattern, name)
	return ok
}

// ignored reports whether path (slash-separated, relative to the chart root) is ignored.
// As in Helm, the first rule that decides wins, and a negated rule that does not match
// ignores the path.
func (r ignoreRules) ignored(path string, isDir bool) bool {
	if path == "" || path == "." || path == "./" {
		return false
	}
	for _, rule := range r {
		if rule.negate {
			if rule.mustDir && !isDir {
				return true
			}
			if !rule.match(path) {
				return true
			}
			continue
		}
		if rule.mustDir && !isDir {
			continue
		}
		if rule.match(path) {
			return true
		}
	}
	return false
}
