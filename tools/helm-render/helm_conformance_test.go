package main

// Cases taken from Helm v3.21.4's own pkg/engine/engine_test.go, with Helm's expected
// results, run against helm-render's engine. They check the engine output before manifests
// are split, because several of these outputs are not valid YAML.

import (
	"os"
	"strings"
	"testing"
)

// TestHelmTemplateOutputs compares whole runs, stdout then stderr as Helm's own command
// tests capture them, with the outputs in testdata/helm/ that Helm's tests expect.
func TestHelmTemplateOutputs(t *testing.T) {
	cases := []struct{ args, want string }{
		{"testdata/helm/object-order", "testdata/helm/object-order.txt"},
		{"testdata/helm/chart-with-template-with-invalid-yaml", "testdata/helm/invalid-yaml.txt"},
		{"--debug testdata/helm/chart-with-template-with-invalid-yaml", "testdata/helm/invalid-yaml-debug.txt"},
	}
	for _, c := range cases {
		stdout, stderr, _ := runMain(t, c.args)
		want, err := os.ReadFile(c.want)
		if err != nil {
			t.Fatal(err)
		}
		if got := stdout + stderr; got != string(want) {
			t.Errorf("helm-render %s differs from %s:\n%s", c.args, c.want, lineDiff(string(want), got))
		}
	}
}

// renderRaw runs the engine alone on templates (path under templates/ -> text).
func renderRaw(t *testing.T, name string, templates map[string]string, values Values, files ...chartFile) (map[string]string, error) {
	t.Helper()
	c := &chart{meta: &Metadata{Name: name, Version: "1.0.0", APIVersion: "v2"}, files: files}
	for n, text := range templates {
		c.templates = append(c.templates, chartFile{name: "templates/" + n, data: []byte(text)})
	}
	caps, err := newCapabilities("", nil)
	if err != nil {
		t.Fatal(err)
	}
	return renderTemplates(renderInput{chart: c, values: values, release: map[string]interface{}{"Name": "TestRelease"}, capabilities: caps})
}

func TestHelmExecErrors(t *testing.T) {
	cases := map[string]struct{ tpl, want string }{
		"missing_required":             {`{{required "foo is required" .Values.foo}}`, `execution error at (c/templates/missing_required:1:2): foo is required`},
		"missing_required_with_colons": {`{{required ":this: message: has many: colons:" .Values.foo}}`, `execution error at (c/templates/missing_required_with_colons:1:2): :this: message: has many: colons:`},
		"issue6044": {"{{ $someEmptyValue := \"\" }}\n{{ $myvar := \"abc\" }}\n{{- required (printf \"%s: something is missing\" $myvar) $someEmptyValue | repeat 0 }}",
			`execution error at (c/templates/issue6044:3:4): abc: something is missing`},
		"issue9981":  {`{{required "foo is required\nmore info after the break" .Values.foo}}`, "execution error at (c/templates/issue9981:1:2): foo is required\nmore info after the break"},
		"failnl":     {`{{fail "something is wrong\nlinebreak"}}`, "execution error at (c/templates/failnl:1:2): something is wrong\nlinebreak"},
		"failtpl":    {`All your base are belong to us{{ fail "This is an error" }}`, `execution error at (c/templates/failtpl:1:33): This is an error`},
		"recursion":  {`{{define "recursion"}}{{include "recursion" . }}{{end}}{{include "recursion" . }}`, "rendering template has a nested reference name: recursion: unable to execute template"},
		"parseerror": {`{{ foo }}`, `parse error at (c/templates/parseerror:1): function "foo" not defined`},
	}
	for name, c := range cases {
		_, err := renderRaw(t, "c", map[string]string{name: c.tpl}, Values{})
		if err == nil || !strings.HasSuffix(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", name, err, c.want)
		}
	}
}

func TestHelmTplCases(t *testing.T) {
	values := Values{
		"partialText":      `{{define "partial"}}redefined-in-tpl{{end}}tpl: {{include "partial" .}}`,
		"manifestText":     `{{define "manifest"}}redefined-in-tpl{{end}}tpl: {{include "manifest" .}}`,
		"manifestOnlyText": `tpl: {{include "manifest-only" .}}`,
		"nestedText": `{{define "nested"}}redefined-in-tpl{{end}}` +
			`{{define "nested-outer"}}redefined-outer-in-tpl{{end}}` +
			`before-inner-tpl: {{include "nested" .}} {{include "nested-outer" . }}\n` +
			`{{tpl .Values.innerText .}}\n` +
			`after-inner-tpl: {{include "nested" .}} {{include "nested-outer" . }}`,
		"innerText": `{{define "nested"}}redefined-in-inner-tpl{{end}}inner-tpl: {{include "nested" .}} {{include "nested-outer" . }}`,
		"dot":       Values{"Template": Values{"BasePath": "path/to/template", "Name": "name-of-template"}},
		"filename":  "test",
		"filename2": "test2",
	}
	templates := map[string]string{
		// TestRenderTplRedefines: a define inside tpl does not change the outer one.
		"_partials": `{{define "partial"}}original-in-partial{{end}}`,
		"partial":   `before: {{include "partial" .}}\n{{tpl .Values.partialText .}}\nafter: {{include "partial" .}}`,
		"manifest": `{{define "manifest"}}original-in-manifest{{end}}` +
			`before: {{include "manifest" .}}\n{{tpl .Values.manifestText .}}\nafter: {{include "manifest" .}}`,
		"manifest-only": `{{define "manifest-only"}}only-in-manifest{{end}}` +
			`before: {{include "manifest-only" .}}\n{{tpl .Values.manifestOnlyText .}}\nafter: {{include "manifest-only" .}}`,
		"nested": `{{define "nested"}}original-in-manifest{{end}}` +
			`{{define "nested-outer"}}original-outer-in-manifest{{end}}` +
			`before: {{include "nested" .}} {{include "nested-outer" .}}\n` +
			`{{tpl .Values.nestedText .}}\n` +
			`after: {{include "nested" .}} {{include "nested-outer" .}}`,
		// TestRenderTplEmpty
		"empty-string": `{{tpl "" .}}`,
		"empty-action": `{{tpl "{{ \"\"}}" .}}`,
		"only-defines": `{{tpl "{{define \"not-invoked\"}}not-rendered{{end}}" .}}`,
		// TestRenderTplTemplateNames
		"default-basepath":  `{{tpl "{{ .Template.BasePath }}" .}}`,
		"default-name":      `{{tpl "{{ .Template.Name }}" .}}`,
		"modified-basepath": `{{tpl "{{ .Template.BasePath }}" .Values.dot}}`,
		"modified-name":     `{{tpl "{{ .Template.Name }}" .Values.dot}}`,
		// TestRenderTplMissingKey
		"missing": `missingValue: {{tpl "{{.Values.noSuchKey}}" .}}`,
		// TestRenderLoadTemplateForTplFromFile
		"_function": `{{define "test-function"}}test-function{{end}}`,
		"base":      `{{ tpl (.Files.Get .Values.filename) . }}`,
	}
	files := []chartFile{
		{name: "test", data: []byte(`{{ tpl (.Files.Get .Values.filename2) .}}`)},
		{name: "test2", data: []byte(`{{include "test-function" .}}{{define "nested-define"}}nested-define-content{{end}} {{include "nested-define" .}}`)},
	}
	out, err := renderRaw(t, "T", templates, values, files...)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"partial":       `before: original-in-partial\ntpl: redefined-in-tpl\nafter: original-in-partial`,
		"manifest":      `before: original-in-manifest\ntpl: redefined-in-tpl\nafter: original-in-manifest`,
		"manifest-only": `before: only-in-manifest\ntpl: only-in-manifest\nafter: only-in-manifest`,
		"nested": `before: original-in-manifest original-outer-in-manifest\n` +
			`before-inner-tpl: redefined-in-tpl redefined-outer-in-tpl\n` +
			`inner-tpl: redefined-in-inner-tpl redefined-outer-in-tpl\n` +
			`after-inner-tpl: redefined-in-tpl redefined-outer-in-tpl\n` +
			`after: original-in-manifest original-outer-in-manifest`,
		"empty-string":      "",
		"empty-action":      "",
		"only-defines":      "",
		"default-basepath":  "T/templates",
		"default-name":      "T/templates/default-name",
		"modified-basepath": "path/to/template",
		"modified-name":     "name-of-template",
		"missing":           "missingValue: ",
		"base":              "test-function nested-define-content",
	}
	for name, w := range want {
		if got := out["T/templates/"+name]; got != w {
			t.Errorf("%s: got %q, want %q", name, got, w)
		}
	}
	if _, ok := out["T/templates/_partials"]; ok {
		t.Error("partials must not be in the output")
	}
}

// TestRenderRecursionLimit's second half: including the same define many times is fine.
func TestHelmRepeatedInclude(t *testing.T) {
	phrase := "All work and no play makes Jack a dull boy"
	out, err := renderRaw(t, "overlook", map[string]string{
		"quote":     strings.Repeat(`{{include "overlook" . }}`, 4000),
		"_function": `{{define "overlook"}}{{printf "` + phrase + `\n"}}{{end}}`,
	}, Values{})
	if err != nil {
		t.Fatal(err)
	}
	if got := out["overlook/templates/quote"]; got != strings.Repeat(phrase+"\n", 4000) {
		t.Errorf("got %d bytes", len(got))
	}
}
