package main

// Parsing and executing the chart's templates as Helm 3's pkg/engine does: one template set
// holding every file under templates/ (so defines are shared), missingkey=zero with
// "<no value>" removed from the output, and include/tpl/required/fail bound to the set.

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"text/template"
)

// required and fail wrap their message in these markers so that the message can be pulled
// back out of text/template's nested error text ("execution error at (...): message").
const (
	warnStart        = "HELM_ERR_START"
	warnEnd          = "HELM_ERR_END"
	includeMaxNested = 1000 // Helm's guard against a template including itself forever
)

var warnRE = regexp.MustCompile(warnStart + `((?s).*)` + warnEnd)

func warnWrap(s string) string { return warnStart + s + warnEnd }

// chartContext is .Chart: Chart.yaml's fields plus IsRoot (always true without subcharts).
type chartContext struct {
	Metadata
	IsRoot bool
}

type renderInput struct {
	chart        *chart
	values       Values
	release      map[string]interface{}
	capabilities *Capabilities
}

// renderTemplates returns each template's output keyed by "<chart>/templates/<file>",
// partials ("_" files) excluded.
func renderTemplates(in renderInput) (rendered map[string]string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("rendering template failed: %v", r)
		}
	}()
	name := in.chart.meta.Name
	top := map[string]interface{}{
		"Chart":        chartContext{Metadata: *in.chart.meta, IsRoot: true},
		"Files":        newFiles(in.chart.files),
		"Release":      in.release,
		"Capabilities": in.capabilities,
		"Values":       in.values,
		"Subcharts":    map[string]interface{}{},
	}
	sources := map[string]string{}
	for _, t := range in.chart.templates {
		sources[path.Join(name, t.name)] = string(t.data)
	}

	t := template.New("gotpl")
	t.Option("missingkey=zero")
	addBoundFuncs(t)

	keys := parseOrder(sources)
	for _, filename := range keys {
		if _, err := t.New(filename).Parse(sources[filename]); err != nil {
			return nil, cleanupParseError(filename, err)
		}
	}

	rendered = map[string]string{}
	for _, filename := range keys {
		if strings.HasPrefix(path.Base(filename), "_") {
			continue
		}
		top["Template"] = Values{"Name": filename, "BasePath": path.Join(name, "templates")}
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, filename, top); err != nil {
			return nil, cleanupExecError(filename, err)
		}
		// missingkey=zero still prints "<no value>" for a missing map key; Helm removes it.
		rendered[filename] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return rendered, nil
}

// addBoundFuncs installs the functions that need the template set itself.
func addBoundFuncs(t *template.Template) {
	funcs := baseFuncMap()
	included := map[string]int{}
	funcs["include"] = includeFunc(t, included)
	funcs["tpl"] = tplFunc(t, included)
	funcs["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, errors.New(warnWrap(warn))
		}
		if s, ok := val.(string); ok && s == "" {
			return val, errors.New(warnWrap(warn))
		}
		return val, nil
	}
	funcs["fail"] = func(msg string) (string, error) {
		return "", errors.New(warnWrap(msg))
	}
	t.Funcs(funcs)
}

func includeFunc(t *template.Template, included map[string]int) func(string, interface{}) (string, error) {
	return func(name string, data interface{}) (string, error) {
		if included[name] > includeMaxNested {
			return "", fmt.Errorf("rendering template has a nested reference name: %s: unable to execute template", name)
		}
		included[name]++
		defer func() { included[name]-- }()
		var buf strings.Builder
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
}

// tplFunc renders a string as a template in a clone of the set, so the string can use the
// chart's defines and its own defines are visible to include within it.
func tplFunc(parent *template.Template, included map[string]int) func(string, interface{}) (string, error) {
	return func(text string, vals interface{}) (string, error) {
		t, err := parent.Clone()
		if err != nil {
			return "", fmt.Errorf("cannot clone template: %w", err)
		}
		// Clone loses the missingkey option (golang/go#43022); set it again.
		t.Option("missingkey=zero")
		t.Funcs(template.FuncMap{
			"include": includeFunc(t, included),
			"tpl":     tplFunc(t, included),
		})
		t, err = t.New(parent.Name()).Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", text, err)
		}
		var buf strings.Builder
		if err := t.Execute(&buf, vals); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
}

// parseOrder is Helm's: deeper paths first, then reverse lexical order. A define that
// appears twice ends up with the one parsed last.
func parseOrder(sources map[string]string) []string {
	keys := make([]string, 0, len(sources))
	for k := range sources {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		ca, cb := strings.Count(a, "/"), strings.Count(b, "/")
		if ca == cb {
			return a > b
		}
		return ca > cb
	})
	return keys
}

// cleanupParseError turns "template: name:3: message" into Helm's "parse error at (name:3): message".
func cleanupParseError(filename string, err error) error {
	tokens := strings.Split(err.Error(), ": ")
	if len(tokens) == 1 {
		return fmt.Errorf("parse error in (%s): %s", filename, err)
	}
	return fmt.Errorf("parse error at (%s): %s", tokens[1], tokens[len(tokens)-1])
}

// cleanupExecError reports required/fail messages as Helm does,
// "execution error at (name:line:col): message"; other execution errors pass unchanged.
func cleanupExecError(filename string, err error) error {
	var execErr template.ExecError
	if !errors.As(err, &execErr) {
		return err
	}
	tokens := strings.SplitN(err.Error(), ": ", 3)
	if len(tokens) != 3 {
		return fmt.Errorf("execution error in (%s): %s", filename, err)
	}
	if parts := warnRE.FindStringSubmatch(tokens[2]); len(parts) >= 2 {
		return fmt.Errorf("execution error at (%s): %s", tokens[1], parts[1])
	}
	return err
}
