package main

// Loading a chart directory the way Helm 3's loader does: Chart.yaml becomes .Chart,
// values.yaml the chart's values, templates/ the templates, and every other file that
// .helmignore keeps is reachable through .Files.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/Masterminds/semver"
	"sigs.k8s.io/yaml"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Helm refuses larger files; a chart file this big is a mistake, not a template.
const maxChartFileSize = 100 * 1024 * 1024

// Maintainer, Dependency and Metadata keep Helm's field names: templates read them as
// .Chart.Name, .Chart.AppVersion, ...
type Maintainer struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	URL   string `json:"url,omitempty"`
}

type Dependency struct {
	Name         string        `json:"name"`
	Version      string        `json:"version,omitempty"`
	Repository   string        `json:"repository"`
	Condition    string        `json:"condition,omitempty"`
	Tags         []string      `json:"tags,omitempty"`
	Enabled      bool          `json:"enabled,omitempty"`
	ImportValues []interface{} `json:"import-values,omitempty"`
	Alias        string        `json:"alias,omitempty"`
}

type Metadata struct {
	Name         string            `json:"name,omitempty"`
	Home         string            `json:"home,omitempty"`
	Sources      []string          `json:"sources,omitempty"`
	Version      string            `json:"version,omitempty"`
	Description  string            `json:"description,omitempty"`
	Keywords     []string          `json:"keywords,omitempty"`
	Maintainers  []*Maintainer     `json:"maintainers,omitempty"`
	Icon         string            `json:"icon,omitempty"`
	APIVersion   string            `json:"apiVersion,omitempty"`
	Condition    string            `json:"condition,omitempty"`
	Tags         string            `json:"tags,omitempty"`
	AppVersion   string            `json:"appVersion,omitempty"`
	Deprecated   bool              `json:"deprecated,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	KubeVersion  string            `json:"kubeVersion,omitempty"`
	Dependencies []*Dependency     `json:"dependencies,omitempty"`
	Type         string            `json:"type,omitempty"`
}

// chartFile is one file of the chart, named by its slash path from the chart root.
type chartFile struct {
	name string
	data []byte
}

type chart struct {
	meta      *Metadata
	values    map[string]interface{}
	templates []chartFile // under templates/
	files     []chartFile // everything else that .Files exposes, crds/ included
	hasSchema bool
}

// loadChart reads the chart in dir. Subcharts are not supported: a chart that has any
// (in charts/ or as dependencies in Chart.yaml) is refused rather than rendered wrongly.
func loadChart(dir string) (*chart, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("path %q not found", dir)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a chart directory (packaged .tgz charts are not supported)", dir)
	}
	rules, err := loadIgnoreRules(dir)
	if err != nil {
		return nil, err
	}
	all, err := readChartFiles(dir, rules)
	if err != nil {
		return nil, err
	}
	c := &chart{values: map[string]interface{}{}}
	subcharts := map[string]bool{}
	var requirements []*Dependency
	var legacyFiles []chartFile
	for _, f := range all {
		switch {
		case f.name == "Chart.yaml":
			c.meta = &Metadata{}
			if err := yaml.Unmarshal(f.data, c.meta); err != nil {
				return nil, fmt.Errorf("cannot load Chart.yaml: %w", err)
			}
			if c.meta.APIVersion == "" {
				c.meta.APIVersion = "v1" // Helm 2 charts could omit it; Helm assumes v1
			}
		case f.name == "values.yaml":
			if err := yaml.Unmarshal(f.data, &c.values); err != nil {
				return nil, fmt.Errorf("cannot load values.yaml: %w", err)
			}
			if c.values == nil {
				c.values = map[string]interface{}{}
			}
		case f.name == "values.schema.json":
			c.hasSchema = true
		case f.name == "requirements.yaml":
			// Helm 2 (apiVersion v1) charts list their dependencies here.
			var req struct {
				Dependencies []*Dependency `json:"dependencies"`
			}
			if err := yaml.Unmarshal(f.data, &req); err != nil {
				return nil, fmt.Errorf("cannot load requirements.yaml: %w", err)
			}
			requirements = req.Dependencies
			legacyFiles = append(legacyFiles, f)
		case f.name == "Chart.lock" || f.name == "requirements.lock":
			// Dependency locks; Helm keeps requirements.lock in .Files for v1 charts.
			if f.name == "requirements.lock" {
				legacyFiles = append(legacyFiles, f)
			}
		case strings.HasPrefix(f.name, "templates/"):
			c.templates = append(c.templates, f)
		case strings.HasPrefix(f.name, "charts/"):
			if filepath.Ext(f.name) == ".prov" {
				c.files = append(c.files, f)
				continue
			}
			name := strings.SplitN(strings.TrimPrefix(f.name, "charts/"), "/", 2)[0]
			if strings.IndexAny(name, "_.") != 0 { // Helm skips charts/_x and charts/.x
				subcharts[name] = true
			}
		default:
			c.files = append(c.files, f)
		}
	}
	if c.meta == nil {
		return nil, errors.New("Chart.yaml file is missing")
	}
	if c.meta.APIVersion == "v1" {
		c.files = append(c.files, legacyFiles...)
	}
	c.meta.Dependencies = append(c.meta.Dependencies, requirements...)
	if err := c.meta.validate(); err != nil {
		return nil, err
	}
	if len(subcharts) > 0 {
		return nil, fmt.Errorf("chart %s has subcharts in charts/ (%s); helm-render does not support subcharts", c.meta.Name, strings.Join(sortedKeys(subcharts), ", "))
	}
	if len(c.meta.Dependencies) > 0 {
		return nil, fmt.Errorf("chart %s declares dependencies (Chart.yaml or requirements.yaml); helm-render does not support subcharts", c.meta.Name)
	}
	if strings.EqualFold(c.meta.Type, "library") {
		return nil, fmt.Errorf("library charts are not installable")
	}
	return c, nil
}

// readChartFiles walks dir in lexical order, following symlinks like Helm's sympath.Walk,
// and returns the files .helmignore keeps.
func readChartFiles(dir string, rules ignoreRules) ([]chartFile, error) {
	var out []chartFile
	var walk func(abs, rel string) error
	walk = func(abs, rel string) error {
		entries, err := os.ReadDir(abs)
		if err != nil {
			return err
		}
		for _, e := range entries { // os.ReadDir sorts by name
			childAbs := filepath.Join(abs, e.Name())
			childRel := path.Join(rel, e.Name())
			info, err := os.Stat(childAbs)
			if err != nil {
				return err
			}
			if info.IsDir() {
				if rules.ignored(childRel, true) {
					continue
				}
				if err := walk(childAbs, childRel); err != nil {
					return err
				}
				continue
			}
			if rules.ignored(childRel, false) {
				continue
			}
			if !info.Mode().IsRegular() {
				return fmt.Errorf("cannot load irregular file %s as it has file mode type bits set", childAbs)
			}
			if info.Size() > maxChartFileSize {
				return fmt.Errorf("chart file %q is larger than the maximum file size %d", info.Name(), maxChartFileSize)
			}
			data, err := os.ReadFile(childAbs)
			if err != nil {
				return fmt.Errorf("error reading %s: %w", childRel, err)
			}
			out = append(out, chartFile{name: childRel, data: bytes.TrimPrefix(data, utf8BOM)})
		}
		return nil
	}
	return out, walk(dir, "")
}

// validate applies Helm's checks on Chart.yaml, with its messages.
func (md *Metadata) validate() error {
	for _, s := range []*string{&md.Name, &md.Description, &md.Home, &md.Icon, &md.Condition, &md.Tags, &md.AppVersion, &md.KubeVersion} {
		*s = sanitizeString(*s)
	}
	switch {
	case md.APIVersion == "":
		return errors.New("validation: chart.metadata.apiVersion is required")
	case md.Name == "":
		return errors.New("validation: chart.metadata.name is required")
	case md.Name == "." || md.Name == "..":
		return fmt.Errorf("validation: chart.metadata.name %q is not allowed", md.Name)
	case md.Name != filepath.Base(md.Name):
		return fmt.Errorf("validation: chart.metadata.name %q is invalid", md.Name)
	case md.Version == "":
		return errors.New("validation: chart.metadata.version is required")
	}
	if _, err := semver.NewVersion(md.Version); err != nil {
		return fmt.Errorf("validation: chart.metadata.version %q is invalid", md.Version)
	}
	switch md.Type {
	case "", "application", "library":
	default:
		return errors.New("validation: chart.metadata.type must be application or library")
	}
	return nil
}

// sanitizeString turns whitespace into spaces and drops unprintable runes, as Helm does.
func sanitizeString(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, s)
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
