package main

// Small charts written on the fly, one behaviour of Helm's engine each.

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeChart creates a chart named c with the given files (path -> content) and returns its dir.
func writeChart(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if _, ok := files["Chart.yaml"]; !ok {
		files["Chart.yaml"] = "apiVersion: v2\nname: c\nversion: 1.0.0\n"
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func renderChart(t *testing.T, files map[string]string, args ...string) (string, error) {
	t.Helper()
	o, err := parseArgs(append(args, writeChart(t, files)))
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err = run(o, &out, &errOut)
	return out.String(), err
}

func doc(source, body string) string {
	return "---\n# Source: c/templates/" + source + "\n" + body + "\n"
}

func TestEngineBehaviours(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		args  []string
		want  string
	}{
		{"tpl sees the chart's defines and its own",
			map[string]string{
				"values.yaml":          "text: '{{ define \"inner\" }}in-{{ .Release.Name }}{{ end }}{{ include \"inner\" . }}/{{ include \"c.name\" . }}'\n",
				"templates/_h.tpl":     `{{ define "c.name" }}{{ .Chart.Name }}{{ end }}`,
				"templates/value.yaml": "v: {{ tpl .Values.text . }}",
			}, nil, doc("value.yaml", "v: in-release-name/c")},
		{"a duplicate define: the shallower file, parsed last, wins",
			map[string]string{
				"templates/_a.tpl":     `{{ define "dup" }}from-a{{ end }}`,
				"templates/sub/_b.tpl": `{{ define "dup" }}from-b{{ end }}`,
				"templates/x.yaml":     `v: {{ include "dup" . }}`,
			}, nil, doc("x.yaml", "v: from-a")},
		{"toYaml: sorted keys, lists not indented, floats as Helm prints them",
			map[string]string{
				"values.yaml":      "obj: {b: [1, two], a: {z: 1000000, half: 0.5}}\nbig: 1000000\n",
				"templates/x.yaml": "{{ toYaml .Values.obj }}\nbig: {{ .Values.big }}\nint: {{ .Values.big | int }}",
			}, nil, doc("x.yaml", "a:\n  half: 0.5\n  z: 1000000\nb:\n- 1\n- two\nbig: 1e+06\nint: 1000000")},
		{"YAML 1.1 as in Helm: an unquoted y or no is a boolean, also as a key",
			map[string]string{
				"values.yaml":      "flags: [y, no, \"y\"]\ny: 1\n",
				"templates/x.yaml": "flags: {{ .Values.flags | toJson }}\nkeys: {{ keys .Values | sortAlpha | toJson }}",
			}, nil, doc("x.yaml", "flags: [true,false,\"y\"]\nkeys: [\"flags\",\"true\"]")},
		{"toToml and toJson",
			map[string]string{"templates/x.yaml": "toml: |{{ dict \"a\" 1 \"b\" \"x\" | toToml | trim | nindent 2 }}\nj: {{ list 1 \"a\" | toJson }}"},
			nil, doc("x.yaml", "toml: |\n  a = 1\n  b = \"x\"\nj: [1,\"a\"]")},
		{"unknown kinds after known ones, by name; a file of whitespace only is skipped",
			map[string]string{
				"templates/a.yaml":     "kind: Zeta\n---\nkind: Alpha\n---\n# only a comment\n---\nkind: Deployment",
				"templates/blank.yaml": "{{- /* nothing */ -}}\n   \n",
			}, nil, doc("a.yaml", "kind: Deployment") + doc("a.yaml", "# only a comment") + doc("a.yaml", "kind: Alpha") + doc("a.yaml", "kind: Zeta")},
		{"hooks only: helm template still prints the empty manifest part first",
			map[string]string{"templates/h.yaml": "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: post-install"},
			nil, "\n" + doc("h.yaml", "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: post-install")},
		{"--no-hooks",
			map[string]string{"templates/h.yaml": "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: post-install\n---\nkind: Service"},
			[]string{"--no-hooks"}, doc("h.yaml", "kind: Service")},
		{"--set-json and Files",
			map[string]string{
				"files/a.txt":      "A",
				"templates/x.yaml": "v: {{ .Values.obj.list | toJson }}\nmissing: '{{ .Files.Get \"nope\" }}'\nsecrets:\n{{ (.Files.Glob \"files/*\").AsSecrets | indent 2 }}",
			}, []string{"--set-json", `obj={"list":[1,"x",null]}`},
			doc("x.yaml", "v: [1,\"x\",null]\nmissing: ''\nsecrets:\n  a.txt: QQ==")},
		{"text after --- on its line starts the next document, as Helm's splitter leaves it",
			map[string]string{"templates/x.yaml": "kind: A\n--- # comment\nkind: B"},
			nil, doc("x.yaml", "kind: A") + doc("x.yaml", "# comment\nkind: B")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := renderChart(t, c.files, c.args...)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

func TestEngineErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"a field of a missing table is Go's nil pointer error",
			map[string]string{"templates/x.yaml": "v: {{ .Values.nope.deeper }}"},
			`template: c/templates/x.yaml:1:13: executing "c/templates/x.yaml" at <.Values.nope.deeper>: nil pointer evaluating interface {}.deeper`},
		{"required inside an include reports the outer template's position",
			map[string]string{
				"templates/_h.tpl": `{{ define "need" }}{{ required "need.x is required" .Values.x }}{{ end }}`,
				"templates/x.yaml": "a: 1\nv: {{ include \"need\" . }}",
			}, "execution error at (c/templates/x.yaml:2:6): need.x is required"},
		{"include recursion stops",
			map[string]string{
				"templates/_h.tpl": `{{ define "loop" }}{{ include "loop" . }}{{ end }}`,
				"templates/x.yaml": `{{ include "loop" . }}`,
			}, "rendering template has a nested reference name: loop: unable to execute template"},
		{"NOTES.txt is rendered, so its errors count",
			map[string]string{"templates/NOTES.txt": `{{ fail "notes broke" }}`},
			"execution error at (c/templates/NOTES.txt:1:3): notes broke"},
		{"Chart.yaml is validated",
			map[string]string{"Chart.yaml": "apiVersion: v2\nname: c\n"},
			"validation: chart.metadata.version is required"},
		{"dependencies are refused, not ignored",
			map[string]string{
				"Chart.yaml":        "apiVersion: v1\nname: c\nversion: 1.0.0\n",
				"requirements.yaml": "dependencies:\n  - name: redis\n    version: 1.x\n    repository: https://example.com\n",
			}, "chart c declares dependencies (Chart.yaml or requirements.yaml); helm-render does not support subcharts"},
		{"library charts are not rendered",
			map[string]string{"Chart.yaml": "apiVersion: v2\nname: c\nversion: 1.0.0\ntype: library\n"},
			"library charts are not installable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := renderChart(t, c.files)
			if err == nil {
				t.Fatalf("expected an error, got:\n%s", out)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error:\n got %q\nwant it to contain %q", err.Error(), c.want)
			}
		})
	}
}
