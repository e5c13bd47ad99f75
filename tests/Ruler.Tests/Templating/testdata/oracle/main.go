// Command oracle computes the expected outputs of go-expansions.json with Go's own text/template and fmt: rule
// templates expanded as Prometheus 2.42's rules/alerting.go expands them (variable definitions prepended, template
// "__alert_"+name, missingkey=zero, errors as "<error expanding template: ...>"), with the template functions of
// Prometheus 2.42's template/template.go (copied in ./template, stdlib regexp in place of grafana/regexp, its fork; the query
// function answers from the file's fixed results).
//
// Usage (Go 1.19, the version Debian's prometheus 2.42 is built with): go run . ../go-expansions.json
package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	text_template "text/template"

	"oracle/template"
)

// File is go-expansions.json: one alert's data, the query results, and the cases.
type File struct {
	Comment        string            `json:"comment"`
	Alert          string            `json:"alert"`
	Labels         map[string]string `json:"labels"`
	ExternalLabels map[string]string `json:"externalLabels"`
	ExternalURL    string            `json:"externalUrl"`
	Value          float64           `json:"value"`
	Queries        template.Queries  `json:"queries"`
	Cases          []struct {
		Text     string `json:"text"`
		Expected string `json:"expected"`
	} `json:"cases"`
}

func expand(f *File, text string) string {
	name := "__alert_" + f.Alert
	u, err := url.Parse(f.ExternalURL)
	if err != nil {
		panic(err)
	}
	defs := "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"
	data := struct {
		Labels         map[string]string
		ExternalLabels map[string]string
		ExternalURL    string
		Value          float64
	}{f.Labels, f.ExternalLabels, f.ExternalURL, f.Value}
	tmpl := text_template.New(name).Funcs(template.Funcs(f.Queries, u))
	tmpl.Option("missingkey=zero")
	tmpl, err = tmpl.Parse(defs + text)
	if err != nil {
		return fmt.Sprintf("<error expanding template: %s>", fmt.Errorf("error parsing template %v: %w", name, err))
	}
	var sb strings.Builder
	if err := tmpl.Execute(&sb, data); err != nil {
		return fmt.Sprintf("<error expanding template: %s>", fmt.Errorf("error executing template %v: %w", name, err))
	}
	return sb.String()
}

func main() {
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var f File
	if err := json.Unmarshal(raw, &f); err != nil {
		panic(err)
	}
	for i := range f.Cases {
		f.Cases[i].Expected = expand(&f, f.Cases[i].Text)
	}
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(os.Args[1], append(out, '\n'), 0o644); err != nil {
		panic(err)
	}
}
