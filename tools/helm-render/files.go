package main

// .Files: the chart's non-template files with Helm's methods (Get, GetBytes, Glob, AsConfig,
// AsSecrets, Lines). Glob uses gobwas/glob with "/" as separator, as Helm does, so "*"
// stays within a directory and "**" crosses them.

import (
	"encoding/base64"
	"path"
	"strings"

	"github.com/gobwas/glob"
)

type Files map[string][]byte

func newFiles(from []chartFile) Files {
	f := Files{}
	for _, cf := range from {
		f[cf.name] = cf.data
	}
	return f
}

func (f Files) GetBytes(name string) []byte {
	if v, ok := f[name]; ok {
		return v
	}
	return []byte{}
}

func (f Files) Get(name string) string { return string(f.GetBytes(name)) }

// Glob returns the files whose path matches pattern; an invalid pattern matches everything,
// as in Helm.
func (f Files) Glob(pattern string) Files {
	g, err := glob.Compile(pattern, '/')
	if err != nil {
		g, _ = glob.Compile("**")
	}
	out := Files{}
	for name, data := range f {
		if g.Match(name) {
			out[name] = data
		}
	}
	return out
}

// AsConfig renders the files as ConfigMap data: base name to content, as YAML.
func (f Files) AsConfig() string {
	if f == nil {
		return ""
	}
	m := map[string]string{}
	for k, v := range f {
		m[path.Base(k)] = string(v)
	}
	return toYAML(m)
}

// AsSecrets renders the files as Secret data: base name to base64 content, as YAML.
func (f Files) AsSecrets() string {
	if f == nil {
		return ""
	}
	m := map[string]string{}
	for k, v := range f {
		m[path.Base(k)] = base64.StdEncoding.EncodeToString(v)
	}
	return toYAML(m)
}

// Lines splits a file into lines, without the final newline's empty line.
func (f Files) Lines(name string) []string {
	if f == nil || len(f[name]) == 0 {
		return []string{}
	}
	s := string(f[name])
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}
