package main

// User values (-f files, then --set-json, --set, --set-string, --set-file, in Helm's order)
// and their coalescing over the chart's values.yaml, following Helm 3's pkg/cli/values and
// pkg/chartutil/coalesce.go.

import (
	"fmt"
	"io"
	"os"
	"strings"

	"sigs.k8s.io/yaml"
)

// Values is the type of .Values; Helm gives it these methods, and templates may call them.
type Values map[string]interface{}

// AsMap returns the values as a plain map (never nil).
func (v Values) AsMap() map[string]interface{} {
	if len(v) == 0 {
		return map[string]interface{}{}
	}
	return v
}

// YAML renders the values as YAML.
func (v Values) YAML() (string, error) {
	b, err := yaml.Marshal(v)
	return string(b), err
}

// Table returns the nested table at a dotted path ("a.b").
func (v Values) Table(name string) (Values, error) {
	table := v
	for _, n := range strings.Split(name, ".") {
		next, ok := table[n].(map[string]interface{})
		if !ok {
			return Values{}, fmt.Errorf("no table named %q", n)
		}
		table = next
	}
	return table, nil
}

// valueOptions are the user's value sources, applied in Helm's order.
type valueOptions struct {
	files   []string
	json    []string
	set     []string
	strings []string
	setFile []string
}

// merge returns the user-supplied values (before coalescing with the chart's values.yaml).
func (o valueOptions) merge() (map[string]interface{}, error) {
	base := map[string]interface{}{}
	for _, path := range o.files {
		data, err := readValuesSource(path)
		if err != nil {
			return nil, err
		}
		current := map[string]interface{}{}
		if err := yaml.Unmarshal(data, &current); err != nil {
			return nil, fmt.Errorf("failed to parse %s: %w", path, err)
		}
		base = mergeMaps(base, current)
	}
	for _, s := range o.json {
		if err := parseSetJSON(s, base); err != nil {
			return nil, fmt.Errorf("failed parsing --set-json data %s", s)
		}
	}
	for _, s := range o.set {
		if err := parseSet(s, base, false); err != nil {
			return nil, fmt.Errorf("failed parsing --set data: %w", err)
		}
	}
	for _, s := range o.strings {
		if err := parseSet(s, base, true); err != nil {
			return nil, fmt.Errorf("failed parsing --set-string data: %w", err)
		}
	}
	for _, s := range o.setFile {
		if err := parseSetFile(s, base, readValuesSource); err != nil {
			return nil, fmt.Errorf("failed parsing --set-file data: %w", err)
		}
	}
	return base, nil
}

// readValuesSource reads a values file; "-" is standard input, as in Helm (URLs are not fetched).
func readValuesSource(path string) ([]byte, error) {
	if strings.TrimSpace(path) == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(path)
}

// mergeMaps merges b over a: maps merge key by key, anything else (null included) replaces.
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if vm, ok := v.(map[string]interface{}); ok {
			if om, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(om, vm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// coalesceValues lays the user's values over the chart's: the user's win, a user null deletes
// the chart's key, and tables merge. Both inputs are copied first, as Helm does.
// chartName prefixes the keys in warnings, as in Helm's.
func coalesceValues(chartName string, chartVals, userVals map[string]interface{}, warn func(string, ...interface{})) Values {
	v := deepCopy(userVals).(map[string]interface{})
	if v == nil {
		v = map[string]interface{}{}
	}
	vc, _ := deepCopy(chartVals).(map[string]interface{})
	for key, val := range vc {
		value, ok := v[key]
		if !ok {
			v[key] = val
			continue
		}
		if value == nil {
			delete(v, key)
		} else if dest, ok := value.(map[string]interface{}); ok {
			src, ok := val.(map[string]interface{})
			if !ok {
				if val != nil {
					warn("warning: skipped value for %s.%s: Not a table.", chartName, key)
				}
				continue
			}
			coalesceTables(dest, src, chartName+"."+key, warn)
		}
	}
	return Values(v)
}

// coalesceTables merges src (lower precedence) into dst (higher precedence), Helm's
// coalesceTablesFullKey with merge=false.
func coalesceTables(dst, src map[string]interface{}, prefix string, warn func(string, ...interface{})) {
	if src == nil || dst == nil {
		return
	}
	// A user null only deletes a key the chart gives a value; a null for a key the chart
	// leaves null (or lacks) stays null.
	srcNonNil := map[string]bool{}
	for key, val := range src {
		if val != nil {
			srcNonNil[key] = true
		}
	}
	for key, val := range dst {
		if val == nil {
			src[key] = nil
		}
	}
	for key, val := range src {
		full := prefix + "." + key
		dv, ok := dst[key]
		switch {
		case ok && dv == nil && srcNonNil[key]:
			delete(dst, key)
		case !ok:
			dst[key] = val
		case isTable(val):
			if isTable(dv) {
				coalesceTables(dv.(map[string]interface{}), val.(map[string]interface{}), full, warn)
			} else {
				warn("warning: cannot overwrite table with non table for %s (%v)", full, val)
			}
		case isTable(dv) && val != nil:
			warn("warning: destination for %s is a table. Ignoring non-table value (%v)", full, val)
		}
	}
}

func isTable(v interface{}) bool {
	_, ok := v.(map[string]interface{})
	return ok
}

// deepCopy copies the maps and lists that YAML and --set produce, so that merging never
// changes the chart's values or the user's.
func deepCopy(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		if t == nil {
			return t
		}
		m := make(map[string]interface{}, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case Values:
		return deepCopy(map[string]interface{}(t))
	case []interface{}:
		if t == nil {
			return t
		}
		l := make([]interface{}, len(t))
		for i, e := range t {
			l[i] = deepCopy(e)
		}
		return l
	default:
		return v
	}
}
