package main

// The command line: Helm's flag names for what helm-render supports, parsed by hand so that
// repeated flags, "--flag value" and "--flag=value" all work without a flag library.

import (
	"errors"
	"fmt"
	"strings"
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
