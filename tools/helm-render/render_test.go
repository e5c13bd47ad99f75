package main

// End-to-end tests on testdata/fixture: each case's stdout must equal its golden file in
// testdata/golden/ (regenerate with `go test -update` and review the diff), and each error
// case must give Helm's message.

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current output")

const fixture = "testdata/fixture"

func render(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	o, err := parseArgs(args)
	if err != nil {
		t.Fatalf("parseArgs(%q): %v", args, err)
	}
	var out, errOut bytes.Buffer
	err = run(o, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestGolden(t *testing.T) {
	cases := []struct {
		golden string
		args   []string
	}{
		// Chart defaults: ordering by kind across and within files, hooks last, NOTES.txt and
		// the unknown hook left out, .Files/.Chart/.Release/.Capabilities, the functions.
		{"default", []string{fixture}},
		// -f files in order, maps deep-merged, lists replaced, null deleting chart defaults;
		// a chart-guarded template (pvc, servicemonitor) switched on.
		{"values-files", []string{"-f", "testdata/values/override.yaml", "-f", "testdata/values/override2.yaml", fixture}},
		// --set forms over -f, --set-string, escaped dots, list syntax, indexes. A null for a
		// key the chart's values.yaml lacks (labels.tier came from -f) stays null, as in
		// Helm v3.21; a null for a chart key deletes it (values-files).
		{"set-forms", []string{
			"-f", "testdata/values/override.yaml",
			"--set", "replicaCount=7,image.tag=3.0.0",
			"--set", "args={--a,--b=1}",
			"--set", `labels.app\.kubernetes\.io/part-of=metrics-cluster`,
			"--set", "labels.tier=null",
			"--set", "extraEnv[0].name=MODE,extraEnv[0].value=fast",
			"--set", "extraEnv[1].name=ZERO,extraEnv[1].value=0",
			"--set-string", "podAnnotations.version=010",
			"--set", "podAnnotations.enabled=true",
			"--show-only", "templates/deployment.yaml", fixture}},
		// Release name and namespace, kube version and extra API versions (the ServiceMonitor
		// appears with monitoring.coreos.com/v1), --is-upgrade.
		{"capabilities", []string{"--release-name", "prod", "--namespace", "monitoring", "--kube-version", "1.29.3",
			"--api-versions", "monitoring.coreos.com/v1", "--is-upgrade",
			"--show-only", "templates/configmap.yaml", "--show-only", "templates/servicemonitor.yaml", fixture}},
		// A positional release name, CRDs first, test hooks skipped.
		{"crds-skip-tests", []string{"--include-crds", "--skip-tests", "--show-only", "crds/*", "--show-only", "templates/hooks/*", "named", fixture}},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			got, _, err := render(t, c.args...)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			path := filepath.Join("testdata", "golden", c.golden+".yaml")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s:\n%s", path, lineDiff(string(want), got))
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	_, stderr, err := render(t, fixture)
	if err != nil {
		t.Fatal(err)
	}
	if stderr != "info: skipping unknown hook: \"not-a-hook\"\n" {
		t.Errorf("stderr: %q", stderr)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"required", []string{"--set", "storage.bucket=null", fixture},
			"execution error at (fixture/templates/secret.yaml:8:13): storage.bucket is required"},
		{"required-empty-string", []string{"--set-string", "storage.bucket=", fixture},
			"execution error at (fixture/templates/secret.yaml:8:13): storage.bucket is required"},
		{"fail", []string{"--set", "failWith=bad configuration", fixture},
			"execution error at (fixture/templates/checks.yaml:3:4): bad configuration"},
		{"invalid-yaml", []string{"--set", "brokenYaml=true", fixture},
			"YAML parse error on fixture/templates/checks.yaml: error converting YAML to JSON: yaml: line 5: did not find expected ',' or ']'\n\nUse --debug flag to render out invalid YAML"},
		{"parse-error", []string{"testdata/broken-template"},
			`parse error at (broken/templates/bad.yaml:4): function "noSuchFunction" not defined`},
		{"kube-version", []string{"--kube-version", "1.24.0", fixture},
			"chart requires kubeVersion: >=1.25.0-0 which is incompatible with Kubernetes v1.24.0"},
		{"bad-kube-version", []string{"--kube-version", "latest", fixture},
			`invalid kube version 'latest': could not parse "latest" as version`},
		{"bad-set", []string{"--set", "a.=1", fixture},
			`failed parsing --set data: key map "a" has no value`},
		{"missing-values-file", []string{"-f", "testdata/values/nope.yaml", fixture},
			"open testdata/values/nope.yaml: no such file or directory"},
		{"missing-chart", []string{"testdata/no-such-chart"},
			`path "testdata/no-such-chart" not found`},
		{"subcharts", []string{"testdata/subchart"},
			"chart parent has subcharts in charts/ (child); helm-render does not support subcharts"},
		{"release-name", []string{"--release-name", "Bad_Name", fixture},
			`release name "Bad_Name": invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53`},
		{"show-only-missing", []string{"--show-only", "templates/nope.yaml", fixture},
			"could not find template templates/nope.yaml in chart"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := render(t, c.args...)
			if err == nil {
				t.Fatalf("expected an error, got output:\n%s", out)
			}
			if err.Error() != c.want {
				t.Errorf("error:\n got %q\nwant %q", err.Error(), c.want)
			}
		})
	}
}

// TestMain lets TestExitCode run this test binary as the command itself.
func TestMain(m *testing.M) {
	if os.Getenv("HELM_RENDER_RUN_MAIN") == "1" {
		os.Args = append([]string{"helm-render"}, strings.Fields(os.Getenv("HELM_RENDER_ARGS"))...)
		main()
		os.Exit(0)
	}
	flag.Parse()
	os.Exit(m.Run())
}

// runMain runs the command (this test binary, see TestMain) with space-separated args.
func runMain(t *testing.T, args string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "HELM_RENDER_RUN_MAIN=1", "HELM_RENDER_ARGS="+args)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

func TestExitCode(t *testing.T) {
	out, stderr, code := runMain(t, "--set failWith=boom "+fixture)
	if code != 1 || out != "" || stderr != "Error: execution error at (fixture/templates/checks.yaml:3:4): boom\n" {
		t.Errorf("failing render: code %d, stdout %q, stderr %q", code, out, stderr)
	}
	out, _, code = runMain(t, "--show-only templates/service.yaml "+fixture)
	if code != 0 || !strings.HasPrefix(out, "---\n# Source: fixture/templates/service.yaml\n") {
		t.Errorf("good render: code %d, stdout %q", code, out)
	}
	_, stderr, code = runMain(t, "--bogus "+fixture)
	if code != 1 || !strings.HasPrefix(stderr, "Error: unknown flag: --bogus\n") {
		t.Errorf("bad flag: code %d, stderr %q", code, stderr)
	}
}

// lineDiff shows the first differing lines, enough to see what changed.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want " + wl + "\n  got  " + gl + "\n")
			if shown++; shown == 10 {
				break
			}
		}
	}
	return b.String()
}
