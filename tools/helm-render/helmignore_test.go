package main

import "testing"

func TestHelmignoreRules(t *testing.T) {
	var r ignoreRules
	for _, line := range []string{"# comment", "", "*.bak", "/secret.txt", "docs/*.md", "build/"} {
		if err := r.add(line); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		path  string
		isDir bool
		want  bool
	}{
		{"a.bak", false, true},
		{"deep/dir/a.bak", false, true}, // no "/" in the rule: matches the base name anywhere
		{"secret.txt", false, true},
		{"sub/secret.txt", false, false}, // leading "/": only at the root
		{"docs/readme.md", false, true},
		{"other/docs/readme.md", false, false},
		{"build", true, true},
		{"build", false, false}, // a trailing "/" matches directories only
		{"values.yaml", false, false},
	}
	for _, c := range cases {
		if got := r.ignored(c.path, c.isDir); got != c.want {
			t.Errorf("ignored(%q, dir=%v) = %v, want %v", c.path, c.isDir, got, c.want)
		}
	}
	// Helm's quirk, kept: a "!" rule that does not match a path ignores it, so once a
	// .helmignore has a negation, every path that no earlier rule matched is ignored.
	if err := r.add("!keep.bak"); err != nil {
		t.Fatal(err)
	}
	if !r.ignored("values.yaml", false) || !r.ignored("keep.bak", false) {
		t.Error("negated rule: Helm ignores every path an earlier rule did not match")
	}
	if err := r.add("a/**/b"); err == nil {
		t.Error("** must be rejected, as in Helm")
	}
}
