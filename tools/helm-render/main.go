// Command helm-render renders a Helm chart directory the way `helm template` does, for
// machines that have no Helm binary. See README.md for what differs from Helm.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/Masterminds/semver"
)

const usage = `usage: helm-render [flags] [NAME] CHART_DIR

Renders CHART_DIR like "helm template [NAME] CHART_DIR" and prints the manifests.

flags:
  --release-name NAME        release name (default "release-name"; a NAME argument also sets it)
  -n, --namespace NS         release namespace (default "default")
  -f, --values FILE          values file, repeatable, later wins ("-" reads stdin)
  --set k=v                  set values (strvals syntax: a.b=1,c[0]=x,d={x,y}), repeatable
  --set-string k=v           like --set, values stay strings
  --set-json k=JSON          like --set, values are JSON
  --set-file k=FILE          like --set, the value is FILE's content
  --kube-version V           .Capabilities.KubeVersion (default v1.36.0)
  -a, --api-versions G/V     extra .Capabilities.APIVersions, repeatable or comma-separated
  -s, --show-only PATH       only print documents from templates matching PATH, repeatable
  --include-crds             print the chart's crds/ files first
  --skip-tests               leave out test hooks
  --no-hooks                 leave out all hooks
  --is-upgrade               set .Release.IsUpgrade instead of .Release.IsInstall
  --debug                    on a YAML error, still print what was rendered
`

type options struct {
	releaseName string
	namespace   string
	values      valueOptions
	kubeVersion string
	apiVersions []string
	showOnly    []string
	includeCRDs bool
	skipTests   bool
	noHooks     bool
	isUpgrade   bool
	debug       bool
	chartDir    string
}

func main() {
	opts, err := parseArgs(os.Args[1:])
	if err == errHelp {
		fmt.Print(usage)
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error: %s\n\n%s", err, usage)
		os.Exit(1)
	}
	if err := run(opts, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "Error: %s\n", err)
		os.Exit(1)
	}
}

var errHelp = errors.New("help")

func parseArgs(args []string) (*options, error) {
	o := &options{releaseName: "release-name", namespace: "default"}
	var positional []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			positional = append(positional, arg)
			continue
		}
		name, value, hasValue := strings.Cut(arg, "=")
		switch name {
		case "-h", "--help":
			return nil, errHelp
		case "--include-crds", "--skip-tests", "--no-hooks", "--is-upgrade", "--debug":
			on := !hasValue || value == "true"
			switch name {
			case "--include-crds":
				o.includeCRDs = on
			case "--skip-tests":
				o.skipTests = on
			case "--no-hooks":
				o.noHooks = on
			case "--is-upgrade":
				o.isUpgrade = on
			case "--debug":
				o.debug = on
			}
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("flag needs an argument: %s", name)
			}
			i++
			value = args[i]
		}
		switch name {
		case "--release-name", "--name":
			o.releaseName = value
		case "-n", "--namespace":
			o.namespace = value
		case "-f", "--values":
			// Helm's -f is a string slice: commas separate files too.
			o.values.files = append(o.values.files, strings.Split(value, ",")...)
		case "--set":
			o.values.set = append(o.values.set, value)
		case "--set-string":
			o.values.strings = append(o.values.strings, value)
		case "--set-json":
			o.values.json = append(o.values.json, value)
		case "--set-file":
			o.values.setFile = append(o.values.setFile, value)
		case "--kube-version":
			o.kubeVersion = value
		case "-a", "--api-versions":
			o.apiVersions = append(o.apiVersions, strings.Split(value, ",")...)
		case "-s", "--show-only":
			o.showOnly = append(o.showOnly, value)
		default:
			return nil, fmt.Errorf("unknown flag: %s", name)
		}
	}
	switch len(positional) {
	case 1:
		o.chartDir = positional[0]
	case 2:
		o.releaseName, o.chartDir = positional[0], positional[1]
	default:
		return nil, fmt.Errorf("expected [NAME] CHART_DIR, got %d arguments", len(positional))
	}
	return o, nil
}

// run renders the chart and writes the manifests to out; warnings go to errOut.
func run(o *options, out, errOut io.Writer) error {
	warn := func(format string, args ...interface{}) {
		fmt.Fprintf(errOut, format+"\n", args...)
	}
	if err := validateReleaseName(o.releaseName); err != nil {
		return err
	}
	c, err := loadChart(o.chartDir)
	if err != nil {
		return err
	}
	if c.hasSchema {
		warn("warning: %s/values.schema.json is not checked (helm-render does not validate values against a schema)", c.meta.Name)
	}
	userVals, err := o.values.merge()
	if err != nil {
		return err
	}
	caps, err := newCapabilities(o.kubeVersion, o.apiVersions)
	if err != nil {
		return err
	}
	if c.meta.KubeVersion != "" && !kubeVersionCompatible(c.meta.KubeVersion, caps.KubeVersion.Version) {
		return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", c.meta.KubeVersion, caps.KubeVersion.Version)
	}
	release := map[string]interface{}{
		"Name":      o.releaseName,
		"Namespace": o.namespace,
		"IsUpgrade": o.isUpgrade,
		"IsInstall": !o.isUpgrade,
		"Revision":  1,
		"Service":   "Helm",
	}
	rendered, err := renderTemplates(renderInput{
		chart:        c,
		values:       coalesceValues(c.meta.Name, c.values, userVals, warn),
		release:      release,
		capabilities: caps,
	})
	if err != nil {
		return err
	}
	// NOTES.txt is rendered (its errors count) but not printed, as without --notes.
	for name := range rendered {
		if strings.HasSuffix(name, "NOTES.txt") {
			delete(rendered, name)
		}
	}
	generic, hooks, err := sortManifests(rendered, warn)
	if err != nil {
		if o.debug {
			// As helm template --debug: every non-blank file, then the error.
			var b strings.Builder
			for _, name := range sortedStringKeys(rendered) {
				if strings.TrimSpace(rendered[name]) != "" {
					fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", name, rendered[name])
				}
			}
			fmt.Fprintln(out, strings.TrimSpace(b.String()))
			return err
		}
		return fmt.Errorf("%w\n\nUse --debug flag to render out invalid YAML", err)
	}
	var crds []chartFile
	if o.includeCRDs {
		crds = crdFiles(c)
	}
	text := formatOutput(crds, c.meta.Name, generic, hooks, o.skipTests, o.noHooks)
	if len(o.showOnly) > 0 {
		if text, err = showOnly(text, o.showOnly); err != nil {
			return err
		}
	}
	_, err = io.WriteString(out, text)
	return err
}

// validReleaseName is Helm's: a DNS subdomain, at most 53 characters so that charts can
// append their own suffixes and stay within Kubernetes' 63-character names.
var validReleaseName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

func validateReleaseName(name string) error {
	if name == "" {
		return fmt.Errorf("release name %q: no name provided", name)
	}
	if len(name) > 53 || !validReleaseName.MatchString(name) {
		return fmt.Errorf("release name %q: invalid release name, must match regex %s and the length must not be longer than 53", name, validReleaseName.String())
	}
	return nil
}

// kubeVersionCompatible checks Chart.yaml's kubeVersion constraint as Helm does.
func kubeVersionCompatible(constraint, version string) bool {
	v, err := semver.NewVersion(version)
	if err != nil {
		return false
	}
	c, err := semver.NewConstraint(constraint)
	if err != nil {
		return false
	}
	return c.Check(v)
}

func sortedStringKeys(m map[string]string) []string {
	set := make(map[string]bool, len(m))
	for k := range m {
		set[k] = true
	}
	return sortedKeys(set)
}
