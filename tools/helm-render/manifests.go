package main

// Turning rendered templates into `helm template` output, as Helm 3's releaseutil and the
// template command do: split each file into documents, set hooks (helm.sh/hook) apart, sort
// both by kind in install order (stable, so file order then document order breaks ties), and
// print "---\n# Source: <file>\n<doc>\n" for the manifests and then for the hooks.

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// installOrder is Helm's InstallOrder; kinds not listed come after these, by name.
var installOrder = []string{
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
	"PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
	"ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
	"CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
	"ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
	"DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
	"APIService",
}

// hookEvents are the helm.sh/hook values Helm knows; a document naming any other is dropped.
var hookEvents = map[string]bool{
	"pre-install": true, "post-install": true, "pre-delete": true, "post-delete": true,
	"pre-upgrade": true, "post-upgrade": true, "pre-rollback": true, "post-rollback": true,
	"test": true, "test-success": true,
}

type manifestHead struct {
	Version  string `json:"apiVersion"`
	Kind     string `json:"kind,omitempty"`
	Metadata *struct {
		Name        string            `json:"name"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata,omitempty"`
}

type manifest struct {
	source  string // "<chart>/templates/<file>"
	content string
	kind    string
	isTest  bool // a test hook, which --skip-tests leaves out
}

// docSeparator is Helm's: a line starting with "---" (what follows on that line is dropped).
var docSeparator = regexp.MustCompile("(?:^|\\s*\n)---\\s*")

func splitManifests(s string) []string {
	var docs []string
	for _, d := range docSeparator.Split(strings.TrimSpace(s), -1) {
		if d == "" {
			continue
		}
		docs = append(docs, strings.TrimSpace(d))
	}
	return docs
}

// sortManifests splits the rendered files into manifests and hooks, each in install order.
func sortManifests(files map[string]string, warn func(string, ...interface{})) (generic, hooks []manifest, err error) {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		content := files[name]
		if strings.HasPrefix(path.Base(name), "_") || strings.TrimSpace(content) == "" {
			continue
		}
		for _, doc := range splitManifests(content) {
			var head manifestHead
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				return nil, nil, fmt.Errorf("YAML parse error on %s: %w", name, err)
			}
			m := manifest{source: name, content: doc, kind: head.Kind}
			var hookTypes string
			isHook := false
			if head.Metadata != nil {
				hookTypes, isHook = head.Metadata.Annotations["helm.sh/hook"]
			}
			if !isHook {
				generic = append(generic, m)
				continue
			}
			known := true
			for _, h := range strings.Split(hookTypes, ",") {
				h = strings.ToLower(strings.TrimSpace(h))
				if !hookEvents[h] {
					known = false
					break
				}
				if h == "test" || h == "test-success" {
					m.isTest = true
				}
			}
			if !known {
				warn("info: skipping unknown hook: %q", hookTypes)
				continue
			}
			hooks = append(hooks, m)
		}
	}
	sortByKind(generic)
	sortByKind(hooks)
	return generic, hooks, nil
}

func sortByKind(ms []manifest) {
	rank := make(map[string]int, len(installOrder))
	for i, k := range installOrder {
		rank[k] = i
	}
	sort.SliceStable(ms, func(i, j int) bool {
		a, aok := rank[ms[i].kind]
		b, bok := rank[ms[j].kind]
		switch {
		case !aok && !bok:
			return ms[i].kind < ms[j].kind
		case !aok:
			return false
		case !bok:
			return true
		}
		return a < b
	})
}

// formatOutput assembles what `helm template` prints: the manifests (CRDs first when asked),
// trimmed and ended by a newline, then the hooks.
func formatOutput(crds []chartFile, chartName string, generic, hooks []manifest, skipTests, noHooks bool) string {
	var b strings.Builder
	for _, c := range crds {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", path.Join(chartName, c.name), string(c.data))
	}
	for _, m := range generic {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", m.source, m.content)
	}
	out := strings.TrimSpace(b.String()) + "\n"
	if noHooks {
		return out
	}
	for _, h := range hooks {
		if skipTests && h.isTest {
			continue
		}
		out += fmt.Sprintf("---\n# Source: %s\n%s\n", h.source, h.content)
	}
	return out
}

var sourceNameRE = regexp.MustCompile("# Source: [^/]+/(.+)")

// showOnly keeps the documents whose source path (without the chart name) matches one of
// the patterns (filepath.Match, as helm template's --show-only); a pattern that matches
// nothing is an error.
func showOnly(output string, patterns []string) (string, error) {
	docs := splitManifests(output)
	var b strings.Builder
	for _, p := range patterns {
		p = filepath.ToSlash(p)
		found := false
		for _, d := range docs {
			sub := sourceNameRE.FindStringSubmatch(d)
			if sub == nil {
				continue
			}
			if ok, _ := filepath.Match(p, sub[1]); !ok {
				continue
			}
			fmt.Fprintf(&b, "---\n%s\n", d)
			found = true
		}
		if !found {
			return "", fmt.Errorf("could not find template %s in chart", p)
		}
	}
	return b.String(), nil
}

// crdFiles are the chart's crds/*.yaml|yml|json files, which --include-crds prints first.
func crdFiles(c *chart) []chartFile {
	var out []chartFile
	for _, f := range c.files {
		ext := strings.ToLower(filepath.Ext(f.name))
		if strings.HasPrefix(f.name, "crds/") && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
			out = append(out, f)
		}
	}
	return out
}
