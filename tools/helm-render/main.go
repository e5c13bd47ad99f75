// Command helm-render renders a Helm chart directory the way `helm template` does, for
// machines that have no Helm binary. See README.md for what differs from Helm.
package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/Masterminds/semver"
)

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
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
